(component
  (core module $m (func (export "f") (result i32)))
  (core instance $i (instantiate $m))
  (func $f (result u32) (canon lift (core func $i "f")))
  (instance $api (export "f" (func $f)))
  (export "test:broken/api" (instance $api))
)
