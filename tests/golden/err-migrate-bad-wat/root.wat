(component
  (import "store" (instance))
)
