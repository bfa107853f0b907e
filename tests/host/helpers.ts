// Builds small test filters: a hand-written WAT body (tests) + the shared prelude
// (wat/prelude.wat) + imports of every hostcall of the ABI version, compiled with wabt.
import { readFileSync } from "node:fs";
import wabtInit from "wabt";
import { envHostcalls } from "../../src/host/signatures.js";
import type { AbiVersion } from "../../src/host/enums.js";

const here = new URL(".", import.meta.url);
const wabtPromise = wabtInit();

/** Compiles WAT text to a wasm binary (with a name section, for readable trap stacks). */
export async function compileWat(text: string, name = "test.wat"): Promise<Uint8Array> {
  const wabt = await wabtPromise;
  const mod = wabt.parseWat(name, text, {
    bulk_memory: true,
    mutable_globals: true,
    sign_extension: true,
  });
  try {
    mod.resolveNames();
    mod.validate();
    return mod.toBinary({ write_debug_names: true }).buffer;
  } finally {
    mod.destroy();
  }
}

/** Compiles a file of tests/host/wat. */
export async function watFile(name: string): Promise<Uint8Array> {
  return compileWat(readFileSync(new URL(`wat/${name}`, here), "utf8"), name);
}

export interface FilterSpec {
  /** ABI marker; null = none. Default 0.2.1. */
  abi?: AbiVersion | null;
  /** Allocator export(s). Default "malloc". */
  allocator?: "malloc" | "proxy_on_memory_allocate" | "both" | null;
  /** Extra module-level text (imports of other modules, globals...). */
  extra?: string;
}

/** Collects string constants for the data segment; `s("x")` → "(i32.const PTR) (i32.const LEN)". */
export class Strings {
  private next = 0x1000;
  readonly segments: string[] = [];
  private readonly seen = new Map<string, [number, number]>();

  add(value: string | Uint8Array): [number, number] {
    const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value);
    const key = bytes.toString("hex");
    const hit = this.seen.get(key);
    if (hit) return hit;
    const at = this.next;
    this.next += bytes.length + 1;
    const escaped = [...bytes].map((b) => `\\${b.toString(16).padStart(2, "0")}`).join("");
    this.segments.push(`(data (i32.const ${at}) "${escaped}")`);
    this.seen.set(key, [at, bytes.length]);
    return [at, bytes.length];
  }

  /** `(i32.const ptr) (i32.const len)` */
  s = (value: string | Uint8Array): string => {
    const [p, l] = this.add(value);
    return `(i32.const ${p}) (i32.const ${l})`;
  };

  /** `(i32.const ptr)` */
  p = (value: string | Uint8Array): string => `(i32.const ${this.add(value)[0]})`;

  /** `(i32.const len)` */
  l = (value: string | Uint8Array): string => `(i32.const ${this.add(value)[1]})`;
}

const DEFAULTS: Record<string, string> = {
  proxy_on_context_create: `(func (export "proxy_on_context_create") (param i32 i32))`,
  proxy_on_vm_start: `(func (export "proxy_on_vm_start") (param i32 i32) (result i32) (i32.const 1))`,
  proxy_on_configure: `(func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 1))`,
  proxy_on_done: `(func (export "proxy_on_done") (param i32) (result i32) (i32.const 1))`,
};

function imports(abi: AbiVersion): string {
  return Object.entries(envHostcalls(abi))
    .map(([name, t]) => {
      const params = t.params.length ? ` (param ${t.params.join(" ")})` : "";
      const results = t.results.length ? ` (result ${t.results.join(" ")})` : "";
      return `(import "env" "${name}" (func $${name}${params}${results}))`;
    })
    .join("\n");
}

/**
 * A test filter. `body` is WAT (functions and exports) and may use the prelude ($log, $log_num,
 * $log_str, $log_hex, $alloc) and string constants through `s` / `p` / `l`.
 */
export async function filter(
  body: string | ((str: Strings) => string),
  spec: FilterSpec = {},
): Promise<Uint8Array> {
  const strings = new Strings();
  const text = typeof body === "string" ? body : body(strings);
  const abi = spec.abi === undefined ? "0.2.1" : spec.abi;
  const parts = [
    "(module",
    imports(abi ?? "0.2.1"),
    spec.extra ?? "",
    readFileSync(new URL("wat/prelude.wat", here), "utf8"),
  ];
  if (abi) parts.push(`(func (export "proxy_abi_version_${abi.replace(/\./g, "_")}"))`);
  const allocator = spec.allocator === undefined ? "malloc" : spec.allocator;
  if (allocator === "malloc" || allocator === "both")
    parts.push(`(func (export "malloc") (param i32) (result i32) (call $alloc (local.get 0)))`);
  if (allocator === "proxy_on_memory_allocate" || allocator === "both")
    parts.push(
      `(func (export "proxy_on_memory_allocate") (param i32) (result i32) (call $alloc (local.get 0)))`,
    );
  for (const [name, def] of Object.entries(DEFAULTS))
    if (!text.includes(`(export "${name}")`)) parts.push(def);
  parts.push(text, ...strings.segments, ")");
  return compileWat(parts.join("\n"));
}

// ---- many-chunk body tests (body.test.ts, tcp.test.ts) ----

/** Deterministic bytes and sizes (xorshift32). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

export function chunksOf(seed: number, count: number, maxSize: number): Buffer[] {
  const next = rng(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const b = Buffer.alloc(next() % (maxSize + 1)); // some chunks are empty
    for (let j = 0; j < b.length; j++) b[j] = next() & 0xff;
    out.push(b);
  }
  return out;
}

/** The hash the filter computes: h = h * 31 + byte (u32), from 17. */
export function hash(b: Uint8Array): number {
  let h = 17;
  for (const x of b) h = (Math.imul(h, 31) + x) | 0;
  return h >>> 0;
}

/**
 * A body filter for buffer type `type`: logs `size=` and `h=` (hash of the whole buffer it
 * sees), optionally appends "|" with proxy_set_buffer_bytes, then returns `$eos ? 0 : rule(call)`.
 */
export const HASH_BODY = (
  s: (v: string) => string,
  callback: string,
  type: number,
  rule: string,
  mark: boolean,
) => `
  (global $calls (mut i32) (i32.const 0))
  (func $hash (param $type i32)
    (local $p i32) (local $end i32) (local $h i32)
    (drop (call $proxy_get_buffer_bytes (local.get $type) (i32.const 0) (i32.const -1) (i32.const 0x100) (i32.const 0x104)))
    (local.set $p (i32.load (i32.const 0x100)))
    (local.set $end (i32.add (local.get $p) (i32.load (i32.const 0x104))))
    (local.set $h (i32.const 17))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $h (i32.add (i32.mul (local.get $h) (i32.const 31)) (i32.load8_u (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $next)))
    (call $log_num ${s("h")} (local.get $h)))
  (func (export "${callback}") (param $c i32) (param $size i32) (param $eos i32) (result i32)
    (local $i i32)
    (local.set $i (global.get $calls))
    (global.set $calls (i32.add (local.get $i) (i32.const 1)))
    (call $log_num ${s("size")} (local.get $size))
    (call $hash (i32.const ${type}))
    ${mark ? `(drop (call $proxy_set_buffer_bytes (i32.const ${type}) (i32.const -1) (i32.const 0) ${s("|")}))` : ""}
    (if (result i32) (local.get $eos) (then (i32.const 0)) (else ${rule})))`;
