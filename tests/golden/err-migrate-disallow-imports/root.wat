(component
  (import "store" (instance))
  (import "log" (instance))
)
