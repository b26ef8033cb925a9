(component
  (import "clock" (instance $c (export "now" (func (result u64)))))
  (alias export $c "now" (func $now))
  (export "now" (func $now))
)
