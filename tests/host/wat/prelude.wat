;; Shared part of the test filters (inserted into every generated module by helpers.ts).
;; Memory layout: 0x100 ret ptr, 0x104 ret len, 0x108 ret u32 (cas, id, size, token),
;; 0x110 ret u64, 0x200.. digits, 0x400.. log line, 0x1000.. string constants, 0x10000.. heap.
(memory (export "memory") 2)
(global $heap (mut i32) (i32.const 0x10000))
;; When set, every allocation grows memory first, so memory.buffer detaches mid-hostcall.
(global $grow_each_alloc (mut i32) (i32.const 0))

(func $alloc (param $n i32) (result i32)
  (local $p i32)
  (local $need i32)
  (if (global.get $grow_each_alloc) (then (drop (memory.grow (i32.const 1)))))
  (local.set $p (global.get $heap))
  (global.set $heap (i32.and (i32.add (i32.add (local.get $p) (local.get $n)) (i32.const 7)) (i32.const -8)))
  (local.set $need (i32.sub (global.get $heap) (i32.mul (memory.size) (i32.const 0x10000))))
  (if (i32.gt_s (local.get $need) (i32.const 0))
    (then (drop (memory.grow (i32.add (i32.shr_u (local.get $need) (i32.const 16)) (i32.const 1))))))
  (local.get $p))

;; Unsigned decimal of $n at 0x200; returns the length.
(func $itoa64 (param $n i64) (result i32)
  (local $i i32)
  (local $len i32)
  (local.set $i (i32.const 0x2f0))
  (loop $digits
    (local.set $i (i32.sub (local.get $i) (i32.const 1)))
    (i64.store8 (local.get $i) (i64.add (i64.const 48) (i64.rem_u (local.get $n) (i64.const 10))))
    (local.set $n (i64.div_u (local.get $n) (i64.const 10)))
    (br_if $digits (i64.ne (local.get $n) (i64.const 0))))
  (local.set $len (i32.sub (i32.const 0x2f0) (local.get $i)))
  (memory.copy (i32.const 0x200) (local.get $i) (local.get $len))
  (local.get $len))

(func $log (param $p i32) (param $l i32)
  (drop (call $proxy_log (i32.const 2) (local.get $p) (local.get $l))))

;; Logs "<prefix>=<n>" at info.
(func $log_num64 (param $p i32) (param $l i32) (param $n i64)
  (local $d i32)
  (memory.copy (i32.const 0x400) (local.get $p) (local.get $l))
  (i32.store8 (i32.add (i32.const 0x400) (local.get $l)) (i32.const 61))
  (local.set $d (call $itoa64 (local.get $n)))
  (memory.copy (i32.add (i32.const 0x401) (local.get $l)) (i32.const 0x200) (local.get $d))
  (drop (call $proxy_log (i32.const 2) (i32.const 0x400)
    (i32.add (i32.add (local.get $l) (i32.const 1)) (local.get $d)))))

(func $log_num (param $p i32) (param $l i32) (param $n i32)
  (call $log_num64 (local.get $p) (local.get $l) (i64.extend_i32_u (local.get $n))))

;; Logs "<prefix>=<the blob at *0x100, *0x104>".
(func $log_str (param $p i32) (param $l i32)
  (local $buf i32)
  (local $bl i32)
  (local.set $bl (i32.load (i32.const 0x104)))
  (local.set $buf (call $alloc (i32.add (i32.add (local.get $l) (i32.const 1)) (local.get $bl))))
  (memory.copy (local.get $buf) (local.get $p) (local.get $l))
  (i32.store8 (i32.add (local.get $buf) (local.get $l)) (i32.const 61))
  (memory.copy (i32.add (i32.add (local.get $buf) (local.get $l)) (i32.const 1))
    (i32.load (i32.const 0x100)) (local.get $bl))
  (drop (call $proxy_log (i32.const 2) (local.get $buf)
    (i32.add (i32.add (local.get $l) (i32.const 1)) (local.get $bl)))))

;; Logs "<prefix>=<hex of the blob at *0x100, *0x104>".
(func $log_hex (param $p i32) (param $l i32)
  (local $buf i32)
  (local $bl i32)
  (local $i i32)
  (local $b i32)
  (local $src i32)
  (local $out i32)
  (local.set $bl (i32.load (i32.const 0x104)))
  (local.set $src (i32.load (i32.const 0x100)))
  (local.set $buf (call $alloc (i32.add (i32.add (local.get $l) (i32.const 1)) (i32.shl (local.get $bl) (i32.const 1)))))
  (memory.copy (local.get $buf) (local.get $p) (local.get $l))
  (i32.store8 (i32.add (local.get $buf) (local.get $l)) (i32.const 61))
  (local.set $out (i32.add (i32.add (local.get $buf) (local.get $l)) (i32.const 1)))
  (block $done
    (loop $bytes
      (br_if $done (i32.ge_u (local.get $i) (local.get $bl)))
      (local.set $b (i32.load8_u (i32.add (local.get $src) (local.get $i))))
      (i32.store8 (local.get $out) (call $hexdigit (i32.shr_u (local.get $b) (i32.const 4))))
      (i32.store8 (i32.add (local.get $out) (i32.const 1)) (call $hexdigit (i32.and (local.get $b) (i32.const 15))))
      (local.set $out (i32.add (local.get $out) (i32.const 2)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $bytes)))
  (drop (call $proxy_log (i32.const 2) (local.get $buf) (i32.sub (local.get $out) (local.get $buf)))))

(func $hexdigit (param $d i32) (result i32)
  (if (result i32) (i32.lt_u (local.get $d) (i32.const 10))
    (then (i32.add (local.get $d) (i32.const 48)))
    (else (i32.add (local.get $d) (i32.const 87)))))

;; Logs "name(a,b,c)" with the first $n of the three arguments.
(func $trace (param $p i32) (param $l i32) (param $n i32) (param $a i32) (param $b i32) (param $c i32)
  (local $at i32)
  (local $d i32)
  (local $i i32)
  (local $v i32)
  (memory.copy (i32.const 0x400) (local.get $p) (local.get $l))
  (local.set $at (i32.add (i32.const 0x400) (local.get $l)))
  (i32.store8 (local.get $at) (i32.const 40))
  (local.set $at (i32.add (local.get $at) (i32.const 1)))
  (block $done
    (loop $args
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $v (select (local.get $a) (select (local.get $b) (local.get $c) (i32.eq (local.get $i) (i32.const 1))) (i32.eqz (local.get $i))))
      (if (local.get $i) (then
        (i32.store8 (local.get $at) (i32.const 44))
        (local.set $at (i32.add (local.get $at) (i32.const 1)))))
      (local.set $d (call $itoa64 (i64.extend_i32_u (local.get $v))))
      (memory.copy (local.get $at) (i32.const 0x200) (local.get $d))
      (local.set $at (i32.add (local.get $at) (local.get $d)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $args)))
  (i32.store8 (local.get $at) (i32.const 41))
  (drop (call $proxy_log (i32.const 2) (i32.const 0x400) (i32.sub (i32.add (local.get $at) (i32.const 1)) (i32.const 0x400)))))
