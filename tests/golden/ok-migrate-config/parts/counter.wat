(component
  (import "util" (instance (export "noop" (func))))
  (import "env" (instance (export "set" (func (param "key" string)))))
  (core module $m (func (export "tick")))
  (core instance $i (instantiate $m))
  (func (export "tick") (canon lift (core func $i "tick")))
)
