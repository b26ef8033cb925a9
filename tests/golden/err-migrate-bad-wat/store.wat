(component
  (import "x" (instanc))
)
