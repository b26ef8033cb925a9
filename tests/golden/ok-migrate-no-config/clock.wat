;; Exports the `clock` interface under another name: matched through that export.
(component
  (core module $m (func (export "now") (result i64) i64.const 42))
  (core instance $i (instantiate $m))
  (func $now (result u64) (canon lift (core func $i "now")))
  (instance $t (export "now" (func $now)))
  (export "time" (instance $t))
)
