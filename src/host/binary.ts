// Minimal reader of a wasm binary's type, import, function and export sections. JS cannot reflect
// the type of an exported function, and V8 adapts any JS function to any import type, so the
// strict linking cpp-host does (`src/v8/v8.cc`: import type checks, "Bad function signature for")
// needs the types from the binary itself.
import { LoadError } from "./errors.js";

export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";

/** A function type; written like `(i32,i32)->i32` by `formatSignature`. */
export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface ImportEntry {
  module: string;
  name: string;
  kind: "func" | "table" | "memory" | "global" | "tag";
  /** Set for function imports. */
  type?: FuncType;
}

export interface ExportEntry {
  name: string;
  kind: "func" | "table" | "memory" | "global" | "tag";
  /** Set for function exports. */
  type?: FuncType;
}

export interface ModuleInfo {
  imports: ImportEntry[];
  exports: ExportEntry[];
}

const VALTYPES: Record<number, ValType> = {
  0x7f: "i32",
  0x7e: "i64",
  0x7d: "f32",
  0x7c: "f64",
  0x7b: "v128",
  0x70: "funcref",
  0x6f: "externref",
};
const KINDS = ["func", "table", "memory", "global", "tag"] as const;

export function formatSignature(t: FuncType): string {
  return `(${t.params.join(",")})->${t.results.length ? t.results.join(",") : "()"}`;
}

export function sameSignature(a: FuncType, b: FuncType): boolean {
  return formatSignature(a) === formatSignature(b);
}

/** True when the bytes start with the wasm magic and version 1. */
export function isWasm(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 8 &&
    bytes[0] === 0 &&
    bytes[1] === 0x61 &&
    bytes[2] === 0x73 &&
    bytes[3] === 0x6d &&
    bytes[4] === 1 &&
    bytes[5] === 0 &&
    bytes[6] === 0 &&
    bytes[7] === 0
  );
}

class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    pos = 0,
    readonly end = bytes.length,
  ) {
    this.pos = pos;
  }
  byte(): number {
    if (this.pos >= this.end) throw new LoadError("malformed wasm binary: unexpected end");
    return this.bytes[this.pos++];
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 35) throw new LoadError("malformed wasm binary: bad LEB128");
    }
  }
  name(): string {
    const len = this.u32();
    if (this.pos + len > this.end) throw new LoadError("malformed wasm binary: bad name");
    const s = Buffer.from(this.bytes.subarray(this.pos, this.pos + len)).toString("utf8");
    this.pos += len;
    return s;
  }
  valtype(): ValType {
    const b = this.byte();
    const t = VALTYPES[b];
    if (!t) throw new LoadError(`malformed wasm binary: unknown value type 0x${b.toString(16)}`);
    return t;
  }
  limits(): void {
    const flags = this.byte();
    this.u32();
    if (flags & 1) this.u32();
  }
}

/** Reads the imports and exports of a module, with function types resolved. */
export function readModuleInfo(bytes: Uint8Array): ModuleInfo {
  if (!isWasm(bytes)) throw new LoadError("not a WebAssembly binary (bad magic number or version)");
  const types: FuncType[] = [];
  const funcTypes: number[] = []; // type index of every function, imported ones first
  const imports: ImportEntry[] = [];
  const rawExports: { name: string; kind: number; index: number }[] = [];
  const r = new Reader(bytes, 8);
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (end > bytes.length) throw new LoadError("malformed wasm binary: section overruns the file");
    const s = new Reader(bytes, r.pos, end);
    if (id === 1) {
      for (let n = s.u32(); n > 0; n--) {
        const form = s.byte();
        if (form !== 0x60) throw new LoadError("malformed wasm binary: unsupported type form");
        const params: ValType[] = [];
        for (let p = s.u32(); p > 0; p--) params.push(s.valtype());
        const results: ValType[] = [];
        for (let q = s.u32(); q > 0; q--) results.push(s.valtype());
        types.push({ params, results });
      }
    } else if (id === 2) {
      for (let n = s.u32(); n > 0; n--) {
        const module = s.name();
        const name = s.name();
        const kind = s.byte();
        if (kind === 0) {
          const ti = s.u32();
          funcTypes.push(ti);
          imports.push({ module, name, kind: "func", type: types[ti] });
        } else if (kind === 1) {
          s.byte();
          s.limits();
          imports.push({ module, name, kind: "table" });
        } else if (kind === 2) {
          s.limits();
          imports.push({ module, name, kind: "memory" });
        } else if (kind === 3) {
          s.valtype();
          s.byte();
          imports.push({ module, name, kind: "global" });
        } else if (kind === 4) {
          s.byte();
          s.u32();
          imports.push({ module, name, kind: "tag" });
        } else throw new LoadError(`malformed wasm binary: unknown import kind ${kind}`);
      }
    } else if (id === 3) {
      for (let n = s.u32(); n > 0; n--) funcTypes.push(s.u32());
    } else if (id === 7) {
      for (let n = s.u32(); n > 0; n--) {
        const name = s.name();
        const kind = s.byte();
        const index = s.u32();
        rawExports.push({ name, kind, index });
      }
    }
    r.pos = end;
  }
  const exports: ExportEntry[] = rawExports.map(({ name, kind, index }) => {
    const k = KINDS[kind] ?? "func";
    if (kind !== 0) return { name, kind: k };
    const ti = funcTypes[index];
    return { name, kind: "func", type: ti === undefined ? undefined : types[ti] };
  });
  return { imports, exports };
}
