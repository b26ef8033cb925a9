;; A definition component: its instance export `shared` satisfies every import of
;; that name.
(component
  (core module $m (func (export "version") (result i32) i32.const 2))
  (core instance $i (instantiate $m))
  (func $v (result u32) (canon lift (core func $i "version")))
  (instance $s (export "version" (func $v)))
  (export "shared" (instance $s))
)
