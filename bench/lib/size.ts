// What a .wasm's bytes are made of: each section's size, and the code section split by the
// source module of each function (names taken, in order, from the .wat asc writes next to it).

function leb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[at++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) return [value, at];
  }
}

const SECTION_NAMES = [
  "custom", "type", "import", "function", "table", "memory", "global", "export", "start",
  "element", "code", "data", "datacount",
]; // prettier-ignore

export interface SizeReport {
  total: number;
  sections: { name: string; bytes: number }[];
  /** Code bytes by source module (e.g. "~lib/rt/tlsf", "proxy-wasm-as/assembly/headers"). */
  code: { module: string; bytes: number; functions: number }[];
  /** Largest functions. */
  largest: { name: string; bytes: number }[];
  /** Static data: bytes of segments whose text names proxy-wasm-as (its diagnostics), and the rest. */
  data: { exports: number };
}

function moduleOf(name: string): string {
  const n = name
    .replace(/^\$/, "")
    .replace(/^(~lib|node_modules)\/proxy-wasm-as\//, "proxy-wasm-as/");
  const cut = n.lastIndexOf("/");
  const base = cut < 0 ? n : n.slice(0, cut);
  return base.replace(/\/[^/]*#.*$/, "");
}

/** Splits `bytes` by section and its code by function (names from `wat`, in order). */
export function sizeReport(bytes: Uint8Array, wat: string | null): SizeReport {
  const sections: { name: string; bytes: number }[] = [];
  const bodies: number[] = [];
  let at = 8;
  while (at < bytes.length) {
    const id = bytes[at];
    const [size, start] = leb(bytes, at + 1);
    const end = start + size;
    sections.push({ name: SECTION_NAMES[id] ?? `#${id}`, bytes: end - at });
    if (id === 10) {
      let [count, p] = leb(bytes, start);
      for (let i = 0; i < count; i++) {
        const [len, q] = leb(bytes, p);
        bodies.push(q + len - p);
        p = q + len;
      }
    }
    at = end;
  }
  const names = wat
    ? [...wat.matchAll(/^ \(func (\$[^\s)]+)/gm)].map((m) => m[1])
    : bodies.map((_, i) => `func${i}`);
  const byModule = new Map<string, { bytes: number; functions: number }>();
  const fns: { name: string; bytes: number }[] = [];
  bodies.forEach((b, i) => {
    const name = names[i] ?? `func${i}`;
    fns.push({ name: name.replace(/^\$/, ""), bytes: b });
    const m = moduleOf(name);
    const e = byModule.get(m) ?? { bytes: 0, functions: 0 };
    e.bytes += b;
    e.functions++;
    byModule.set(m, e);
  });
  const exportsCount = wat ? [...wat.matchAll(/^ \(export /gm)].length : 0;
  return {
    data: { exports: exportsCount },
    total: bytes.length,
    sections,
    code: [...byModule].map(([module, e]) => ({ module, ...e })).sort((a, b) => b.bytes - a.bytes),
    largest: fns.sort((a, b) => b.bytes - a.bytes).slice(0, 12),
  };
}
