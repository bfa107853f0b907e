;; The physical limit of header_heavy: 20 proxy_get_header_map_value calls on the request
;; headers (the values land in a per-callback arena, reset on entry), then 5
;; proxy_replace_header_map_value calls, one of them with the decimal sum of the lengths read.
(module
  (import "env" "proxy_get_header_map_value"
    (func $get_header (param i32 i32 i32 i32 i32) (result i32)))
  (import "env" "proxy_replace_header_map_value"
    (func $replace_header (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; Table of the 20 names at 0x800: (u32 ptr, u32 len) each; strings from 0x400.
  (data (i32.const 0x400) ":method:path:authority:schemeuser-agentacceptaccept-encodingaccept-languagecache-controlcontent-typecookierefererx-request-idx-forwarded-forx-forwarded-protox-b3-traceidx-b3-spanidx-tenantx-api-keyx-missing")
  (data (i32.const 0x800)
    "\00\04\00\00\07\00\00\00" "\07\04\00\00\05\00\00\00" "\0c\04\00\00\0a\00\00\00" "\16\04\00\00\07\00\00\00"
    "\1d\04\00\00\0a\00\00\00" "\27\04\00\00\06\00\00\00" "\2d\04\00\00\0f\00\00\00" "\3c\04\00\00\0f\00\00\00"
    "\4b\04\00\00\0d\00\00\00" "\58\04\00\00\0c\00\00\00" "\64\04\00\00\06\00\00\00" "\6a\04\00\00\07\00\00\00"
    "\71\04\00\00\0c\00\00\00" "\7d\04\00\00\0f\00\00\00" "\8c\04\00\00\11\00\00\00" "\9d\04\00\00\0c\00\00\00"
    "\a9\04\00\00\0b\00\00\00" "\b4\04\00\00\08\00\00\00" "\bc\04\00\00\09\00\00\00" "\c5\04\00\00\09\00\00\00")
  ;; Names and values written: 0x900..
  (data (i32.const 0x900) "x-bench-totalx-bench-1onex-bench-2twox-bench-3threehttps")
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
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (local $i i32)
    (local $total i32)
    (local $d i32)
    (global.set $heap (global.get $arena_start))
    (loop $read
      (i64.store (i32.const 0x100) (i64.const 0))
      (if (i32.eqz (call $get_header (i32.const 0)
                         (i32.load (i32.add (i32.const 0x800) (i32.shl (local.get $i) (i32.const 3))))
                         (i32.load (i32.add (i32.const 0x804) (i32.shl (local.get $i) (i32.const 3))))
                         (i32.const 0x100) (i32.const 0x104)))
        (then (local.set $total (i32.add (local.get $total) (i32.load (i32.const 0x104))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $read (i32.lt_u (local.get $i) (i32.const 20))))
    ;; decimal of $total, written backwards ending at 0xa00
    (local.set $d (i32.const 0xa00))
    (loop $digits
      (local.set $d (i32.sub (local.get $d) (i32.const 1)))
      (i32.store8 (local.get $d) (i32.add (i32.const 48) (i32.rem_u (local.get $total) (i32.const 10))))
      (local.set $total (i32.div_u (local.get $total) (i32.const 10)))
      (br_if $digits (local.get $total)))
    (drop (call $replace_header (i32.const 0) (i32.const 0x900) (i32.const 13)
                                (local.get $d) (i32.sub (i32.const 0xa00) (local.get $d))))
    (drop (call $replace_header (i32.const 0) (i32.const 0x90d) (i32.const 9) (i32.const 0x916) (i32.const 3)))
    (drop (call $replace_header (i32.const 0) (i32.const 0x919) (i32.const 9) (i32.const 0x922) (i32.const 3)))
    (drop (call $replace_header (i32.const 0) (i32.const 0x925) (i32.const 9) (i32.const 0x92e) (i32.const 5)))
    (drop (call $replace_header (i32.const 0) (i32.const 0x48c) (i32.const 17) (i32.const 0x933) (i32.const 5)))
    (i32.const 0)))
