;; Not a filter: the emulator's own cost per request. Exports only what a module must
;; (ABI marker, allocator, memory); every callback is absent, so the host does its bookkeeping
;; and nothing else. Subtract it from a row to see what the filter itself costs.
(module
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 0x1000)))
