;; Imports `env` too, with another type for `get`: one import cannot hold both.
(component
  (import "env" (instance (export "get" (func))))
)
