(component
  (import "next" (instance))
)
