// Property values and their encoding as Envoy's `serializeValue` produces them (abi.md §4/§5,
// Envoy `source/extensions/common/wasm/context.cc`): strings and bytes raw, integers and doubles
// 8 bytes little-endian, bools 1 byte, timestamps and durations int64 nanoseconds, maps and lists
// in the pairs format (a list's values are empty).
import { encodePairs } from "./pairs.js";

/** A value whose wire type a plain JS value cannot express. */
export class TypedValue {
  private constructor(
    readonly kind: "int64" | "uint64" | "double" | "timestamp" | "duration",
    readonly value: number | bigint,
  ) {}
  static int64(v: number | bigint): TypedValue {
    return new TypedValue("int64", BigInt(v));
  }
  static uint64(v: number | bigint): TypedValue {
    return new TypedValue("uint64", BigInt(v));
  }
  static double(v: number): TypedValue {
    return new TypedValue("double", v);
  }
  /** Nanoseconds since the epoch (a Date is also accepted directly as a timestamp). */
  static timestampNanos(v: bigint): TypedValue {
    return new TypedValue("timestamp", v);
  }
  static durationNanos(v: number | bigint): TypedValue {
    return new TypedValue("duration", BigInt(v));
  }
}

/**
 * A property value: string (raw), Uint8Array (raw), integer number or bigint (int64), non-integer
 * number (double), boolean, Date (timestamp), array (list), plain object (map), TypedValue.
 */
export type PropertyValue =
  | string
  | number
  | bigint
  | boolean
  | Uint8Array
  | Date
  | TypedValue
  | PropertyValue[]
  | { [key: string]: PropertyValue };

function int64(v: bigint, unsigned = false): Buffer {
  const b = Buffer.alloc(8);
  if (unsigned) b.writeBigUInt64LE(BigInt.asUintN(64, v));
  else b.writeBigInt64LE(BigInt.asIntN(64, v));
  return b;
}

/** Serializes a property value the way Envoy does. */
export function encodeProperty(v: PropertyValue): Buffer {
  if (typeof v === "string") return Buffer.from(v, "utf8");
  if (v instanceof Uint8Array) return Buffer.from(v);
  if (typeof v === "boolean") return Buffer.from([v ? 1 : 0]);
  if (typeof v === "bigint") return int64(v);
  if (typeof v === "number") {
    if (Number.isInteger(v)) return int64(BigInt(v));
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    return b;
  }
  if (v instanceof Date) return int64(BigInt(v.getTime()) * 1_000_000n);
  if (v instanceof TypedValue) {
    if (v.kind === "double") {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(Number(v.value));
      return b;
    }
    return int64(BigInt(v.value), v.kind === "uint64");
  }
  if (Array.isArray(v)) return encodePairs(v.map((e) => [encodeProperty(e), ""]));
  return encodePairs(Object.entries(v).map(([k, e]) => [k, encodeProperty(e)]));
}

/** Walks into maps by key and lists by decimal index; undefined when a step does not exist. */
export function traverse(v: PropertyValue, rest: string[]): PropertyValue | undefined {
  let cur: PropertyValue | undefined = v;
  for (const seg of rest) {
    if (cur === undefined) return undefined;
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(seg)) return undefined;
      cur = cur[Number(seg)];
    } else if (
      typeof cur === "object" &&
      !(cur instanceof Uint8Array) &&
      !(cur instanceof Date) &&
      !(cur instanceof TypedValue)
    ) {
      cur = Object.prototype.hasOwnProperty.call(cur, seg) ? cur[seg] : undefined;
    } else return undefined;
  }
  return cur;
}

/** Top-level names Envoy moved under `xds.` (envoyproxy/envoy#36619); both forms are accepted. */
const XDS_NAMES = new Set([
  "node",
  "cluster_name",
  "cluster_metadata",
  "route_name",
  "route_metadata",
  "virtual_host_name",
  "virtual_host_metadata",
  "upstream_host_metadata",
  "upstream_host_locality_metadata",
  "filter_chain_name",
  "listener_metadata",
  "listener_direction",
]);

/** Splits a path given by a test ("a.b.c" or ["a", "b.c"]) into segments. */
export function pathSegments(path: string | string[]): string[] {
  return Array.isArray(path) ? path : path.split(".");
}

/** Splits a wire path (segments joined by NUL, a trailing NUL tolerated). */
export function wirePathSegments(raw: Uint8Array): string[] {
  const s = Buffer.from(raw).toString("utf8");
  const segs = s.split("\0");
  if (segs.length > 1 && segs[segs.length - 1] === "") segs.pop();
  return segs;
}

/** The canonical (`xds.`-prefixed) form of a path. */
export function canonicalPath(segs: string[]): string[] {
  return XDS_NAMES.has(segs[0]) ? ["xds", ...segs] : segs;
}

/** Properties set by a test, looked up with traversal into stored maps and lists. */
export class PropertyStore {
  private readonly values = new Map<string, PropertyValue>();

  set(path: string | string[], value: PropertyValue): void {
    this.values.set(canonicalPath(pathSegments(path)).join("\0"), value);
  }

  delete(path: string | string[]): void {
    this.values.delete(canonicalPath(pathSegments(path)).join("\0"));
  }

  /** The longest stored prefix of the path, traversed by the rest. */
  lookup(segs: string[]): PropertyValue | undefined {
    const c = canonicalPath(segs);
    for (let i = c.length; i > 0; i--) {
      const v = this.values.get(c.slice(0, i).join("\0"));
      if (v !== undefined) return traverse(v, c.slice(i));
    }
    return undefined;
  }
}
