// An ordered multi-map of headers with Envoy's `HeaderMapImpl` semantics as the wasm filter sees
// them (Envoy `source/extensions/common/wasm/context.cc`): keys lower-cased on every write,
// add = a new entry, replace = first occurrence in place (or append), get = first value.
import { byteLength, type Pair } from "./pairs.js";

/** Headers given by a test: a record, name/value pairs when a name repeats, or a HeaderMap. */
export type HeadersInit =
  Record<string, string | string[]> | ReadonlyArray<readonly [string, string]> | HeaderMap;

export class HeaderMap {
  private list: Pair[] = [];

  constructor(init?: HeadersInit) {
    if (init instanceof HeaderMap) this.list = init.entries();
    else if (Array.isArray(init))
      for (let i = 0; i < init.length; i++) this.add(init[i][0], init[i][1]);
    else if (init)
      for (const [k, v] of Object.entries(init)) {
        for (const one of Array.isArray(v) ? v : [v]) this.add(k, one);
      }
  }

  /** Number of entries. */
  get size(): number {
    return this.list.length;
  }

  /** First value of `name`, or undefined. */
  get(name: string): string | undefined {
    const i = this.indexOf(name.toLowerCase());
    return i < 0 ? undefined : this.list[i][1];
  }

  /** Index of the first entry named `k` (lower case), or -1; a plain loop, no closure. */
  private indexOf(k: string): number {
    const list = this.list;
    for (let i = 0; i < list.length; i++) if (list[i][0] === k) return i;
    return -1;
  }

  /** Every value of `name`, in order. */
  getAll(name: string): string[] {
    const k = name.toLowerCase();
    return this.list.filter((e) => e[0] === k).map((e) => e[1]);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** Iterates `[name, value]` in order. */
  [Symbol.iterator](): IterableIterator<Pair> {
    return this.entries()[Symbol.iterator]();
  }

  /** A copy of the entries, in order. */
  entries(): Pair[] {
    return this.list.map(([k, v]) => [k, v]);
  }

  /** The entries as a record; repeated names joined with "," (as Envoy's `request.headers`). */
  toObject(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of this.list) out[k] = k in out ? `${out[k]},${v}` : v;
    return out;
  }

  /** Envoy `addCopy`: always a new entry. */
  add(name: string, value: string): void {
    this.list.push([name.toLowerCase(), value]);
  }

  /** Envoy `setCopy`: replaces the first occurrence in place, or appends. */
  set(name: string, value: string): void {
    const k = name.toLowerCase();
    const i = this.indexOf(k);
    if (i >= 0) this.list[i][1] = value;
    else this.list.push([k, value]);
  }

  /** Removes every entry of `name`. */
  remove(name: string): void {
    const k = name.toLowerCase();
    this.list = this.list.filter((e) => e[0] !== k);
  }

  clear(): void {
    this.list = [];
  }

  /** Envoy `byteSize()`: the sum of key and value lengths. */
  byteSize(): number {
    let n = 0;
    for (const [k, v] of this.list) n += byteLength(k) + byteLength(v);
    return n;
  }
}
