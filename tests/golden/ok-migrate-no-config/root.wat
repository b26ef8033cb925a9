;; Imports two instances found beside it (no configuration, as `wasm-tools compose
;; root.wat` runs) and one function nothing provides, left for the host.
(component
  (import "greeter" (instance $g (export "hello" (func))))
  (import "clock" (instance $c (export "now" (func (result u64)))))
  (import "log" (func $log (param "msg" string)))
  (alias export $g "hello" (func $hello))
  (alias export $c "now" (func $now))
  (export "run" (func $hello))
  (export "now" (func $now))
)
