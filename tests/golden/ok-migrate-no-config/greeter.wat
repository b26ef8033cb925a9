;; Its exports as a whole fit the `greeter` import: passed as a whole instance.
(component
  (core module $m (func (export "hello")))
  (core instance $i (instantiate $m))
  (func (export "hello") (canon lift (core func $i "hello")))
)
