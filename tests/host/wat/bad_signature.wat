;; proxy_on_request_headers with the ABI 0.1.0 shape in a 0.2.1 module.
(module
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (param i32) (result i32) (i32.const 1024))
  (func (export "proxy_on_request_headers") (param i32 i32) (result i32) (i32.const 0)))
