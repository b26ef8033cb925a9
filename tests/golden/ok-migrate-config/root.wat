;; Exports nothing: wasm-compose composes it, and so does witpipe, with a warning.
(component
  (import "first" (instance (export "tick" (func))))
  (import "second" (instance (export "tick" (func))))
  (import "shared" (instance (export "version" (func (result u32)))))
  (import "env" (instance (export "get" (func (param "key" string)))))
)
