(component
  (import "clock" (instance (export "now" (func (result u64)))))
)
