(component
  (import "store" (instance))
  (import "env" (instance (export "get" (func (param "key" string)))))
)
