(component
  (import "first" (instance (export "tick" (func))))
)
