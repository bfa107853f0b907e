;; The physical limit of add_header: exactly the hostcalls a request needs, nothing else.
;; proxy_on_configure keeps the plugin configuration (if any) as the header value; every
;; response gets one proxy_add_header_map_value. No context table, no allocator state per stream.
(module
  (import "env" "proxy_get_buffer_bytes"
    (func $get_buffer_bytes (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_add_header_map_value"
    (func $add_header (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0x100/0x104: out-slots for returned blobs. 0x400: "hello". 0x410: "world!".
  (data (i32.const 0x400) "hello")
  (data (i32.const 0x410) "world!")
  (global $value_ptr (mut i32) (i32.const 0x410))
  (global $value_len (mut i32) (i32.const 6))
  ;; Bump allocator: only the configuration is ever returned to this module.
  (global $heap (mut i32) (i32.const 0x1000))
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "proxy_on_memory_allocate") (param $n i32) (result i32)
    (local $p i32)
    (local.set $p (global.get $heap))
    (global.set $heap (i32.add (local.get $p) (local.get $n)))
    (if (i32.gt_u (global.get $heap) (i32.shl (memory.size) (i32.const 16)))
      (then (if (i32.lt_s (memory.grow (i32.add (i32.shr_u (local.get $n) (i32.const 16)) (i32.const 1)))
                          (i32.const 0))
              (then (return (i32.const 0))))))
    (local.get $p))
  (func (export "proxy_on_context_create") (param i32 i32))
  (func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_configure") (param $root i32) (param $size i32) (result i32)
    (if (i32.eqz (local.get $size)) (then (return (i32.const 1))))
    (if (i32.eqz (call $get_buffer_bytes (i32.const 7) (i32.const 0) (local.get $size)
                                         (i32.const 0x100) (i32.const 0x104)))
      (then
        (global.set $value_ptr (i32.load (i32.const 0x100)))
        (global.set $value_len (i32.load (i32.const 0x104)))))
    (i32.const 1))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
    (drop (call $add_header (i32.const 2) (i32.const 0x400) (i32.const 5)
                            (global.get $value_ptr) (global.get $value_len)))
    (i32.const 0)))
