;; The physical limit of http_callout: the request pauses on one proxy_http_call (headers as a
;; ready-made pairs buffer in the data section); the reply handler finds the stream by token,
;; makes it the effective context, copies x-auth from the reply onto the request and resumes it.
(module
  (import "env" "proxy_http_call"
    (func $http_call (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_set_effective_context" (func $set_effective_context (param i32) (result i32)))
  (import "env" "proxy_get_header_map_value"
    (func $get_header (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_replace_header_map_value"
    (func $replace_header (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_continue_stream" (func $continue_stream (param i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0x100/0x104 returned blob, 0x108 token. 0x200: "auth", 0x210: "x-auth".
  (data (i32.const 0x200) "auth")
  (data (i32.const 0x210) "x-auth")
  ;; Pairs {":method": "GET", ":path": "/check", ":authority": "auth"} at 0x300 (69 bytes).
  (data (i32.const 0x300)
    "\03\00\00\00"
    "\07\00\00\00\03\00\00\00" "\05\00\00\00\06\00\00\00" "\0a\00\00\00\04\00\00\00"
    ":method\00GET\00" ":path\00/check\00" ":authority\00auth\00")
  ;; Token → context id, 256 slots at 0x800 (tokens step by 4).
  (global $arena_start i32 (i32.const 0x1000))
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
  (func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_request_headers") (param $ctx i32) (param i32 i32) (result i32)
    (if (call $http_call (i32.const 0x200) (i32.const 4) (i32.const 0x300) (i32.const 69)
                         (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
                         (i32.const 1000) (i32.const 0x108))
      (then (return (i32.const 0))))
    (i32.store (i32.add (i32.const 0x800) (i32.and (i32.load (i32.const 0x108)) (i32.const 0x3fc)))
               (local.get $ctx))
    (i32.const 1))
  (func (export "proxy_on_http_call_response") (param $root i32) (param $token i32) (param i32 i32 i32)
    (global.set $heap (global.get $arena_start))
    (drop (call $set_effective_context
      (i32.load (i32.add (i32.const 0x800) (i32.and (local.get $token) (i32.const 0x3fc))))))
    (i64.store (i32.const 0x100) (i64.const 0))
    (drop (call $get_header (i32.const 6) (i32.const 0x210) (i32.const 6) (i32.const 0x100) (i32.const 0x104)))
    (drop (call $replace_header (i32.const 0) (i32.const 0x210) (i32.const 6)
                                (i32.load (i32.const 0x100)) (i32.load (i32.const 0x104))))
    (drop (call $continue_stream (i32.const 0)))))
