// `import … from "@gcoredev/proxy-wasm-sdk-as/assembly/fastedge"`: what G-Core's FastEdge
// platform adds. Environment variables come through WASI `environ_get`, which Envoy serves from
// `vm_config.environment_variables`. Dictionary, secrets and the KV store are FastEdge hostcalls:
// a filter that calls them imports them, and loads only on a host that has them (FastEdge), as
// with the original package. This file uses AssemblyScript-only decorators, so it is listed in
// .prettierignore.
import { WasmResult } from "../../abi/enums";
import { RETURN_LEN, RETURN_PTR, RETURN_U32, clearReturned, takeBuffer } from "../../dispatch/memory";
import { decodeString, encodeString } from "../../dispatch/utf8_codec";

export { LogLevelValues } from "../values";
export { log, setLogLevel, getCurrentTime } from "./log";

// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "environ_sizes_get")
declare function environ_sizes_get(count: usize, size: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "environ_get")
declare function environ_get(environ: usize, buffer: usize): u16;
// @ts-ignore: decorator
@external("env", "proxy_dictionary_get")
declare function proxy_dictionary_get(key: usize, key_size: usize, value: usize, value_size: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_secret")
declare function proxy_get_secret(key: usize, key_size: usize, value: usize, value_size: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_get_effective_at_secret")
declare function proxy_get_effective_at_secret(key: usize, key_size: usize, at: u32, value: usize, value_size: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_kv_store_open")
declare function proxy_kv_store_open(name: usize, name_size: usize, handle: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_kv_store_get")
declare function proxy_kv_store_get(handle: u32, key: usize, key_size: usize, value: usize, value_size: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_kv_store_scan")
declare function proxy_kv_store_scan(handle: u32, pattern: usize, pattern_size: usize, value: usize, value_size: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_kv_store_zrange_by_score")
declare function proxy_kv_store_zrange_by_score(handle: u32, key: usize, key_size: usize, min: f64, max: f64, value: usize, value_size: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_kv_store_zscan")
declare function proxy_kv_store_zscan(handle: u32, key: usize, key_size: usize, pattern: usize, pattern_size: usize, value: usize, value_size: usize): u32;
// @ts-ignore: decorator
@external("env", "proxy_kv_store_bf_exists")
declare function proxy_kv_store_bf_exists(handle: u32, key: usize, key_size: usize, item: usize, item_size: usize, result: usize): u32;

/** The value of environment variable `name`, or "" when it is not set. */
export function getEnv(name: string): string {
  const sizes = new ArrayBuffer(8);
  const at = changetype<usize>(sizes);
  if (environ_sizes_get(at, at + 4) != 0) return "";
  const count = <usize>load<u32>(at);
  const size = <usize>load<u32>(at + 4);
  if (count == 0 || size == 0) return "";
  const pointers = new ArrayBuffer(<i32>(count * 4));
  const text = new ArrayBuffer(<i32>size);
  const start = changetype<usize>(text);
  const end = start + size;
  if (environ_get(changetype<usize>(pointers), start) != 0) return "";
  const key = encodeString(name + "=");
  const keyLength = <usize>key.byteLength;
  for (let i: usize = 0; i < count; i++) {
    const entry = <usize>load<u32>(changetype<usize>(pointers) + i * 4);
    if (entry < start || entry + keyLength > end) continue; // not in the buffer the host filled
    if (memory.compare(entry, changetype<usize>(key), keyLength) != 0) continue;
    let stop = entry + keyLength;
    while (stop < end && load<u8>(stop) != 0) stop++;
    return String.UTF8.decodeUnsafe(entry + keyLength, stop - entry - keyLength);
  }
  return "";
}

/** @deprecated G-Core's old name for `getEnv`. */
export function getEnvVar(name: string): string {
  return getEnv(name);
}

/** The string a FastEdge hostcall wrote, or "" when it failed. */
function takeText(result: u32): string {
  return result == WasmResult.Ok ? decodeString(takeBuffer()) : "";
}

/** A FastEdge dictionary value (for values over WASI's 64 KB limit), or "". */
export function getDictionary(name: string): string {
  const key = encodeString(name);
  clearReturned();
  return takeText(proxy_dictionary_get(changetype<usize>(key), key.byteLength, RETURN_PTR, RETURN_LEN));
}

/** A FastEdge secret, or "". */
export function getSecret(name: string): string {
  const key = encodeString(name);
  clearReturned();
  return takeText(proxy_get_secret(changetype<usize>(key), key.byteLength, RETURN_PTR, RETURN_LEN));
}

/** The FastEdge secret `name` of slot `effectiveAt`, or "". */
export function getSecretEffectiveAt(name: string, effectiveAt: u32): string {
  const key = encodeString(name);
  clearReturned();
  return takeText(
    proxy_get_effective_at_secret(changetype<usize>(key), key.byteLength, effectiveAt, RETURN_PTR, RETURN_LEN),
  );
}

/** @deprecated G-Core's old name for `getSecret`. */
export function getSecretVar(name: string): string {
  return getSecret(name);
}

/** @deprecated G-Core's old name for `getSecretEffectiveAt`. */
export function getSecretVarEffectiveAt(name: string, effectiveAt: u32): string {
  return getSecretEffectiveAt(name, effectiveAt);
}

/** Reads one item of a list the KV store returned; null skips it. */
export abstract class ItemParser<T> {
  abstract parseItem(buffer: ArrayBuffer, dataIndex: u32, itemSize: u32): T | null;
  abstract createEmptyArray(): Array<T>;
}

/** Items as UTF-8 strings. */
export class StringParser extends ItemParser<string> {
  parseItem(buffer: ArrayBuffer, dataIndex: u32, itemSize: u32): string | null {
    return String.UTF8.decodeUnsafe(changetype<usize>(buffer) + dataIndex, itemSize);
  }
  createEmptyArray(): Array<string> {
    return new Array<string>();
  }
}

/**
 * The items of a KV-store list: a u32 count, a u32 size per item, then each item followed by a
 * NUL. Stops at the first item that would run past the end.
 */
export function parseBufferToList<T>(buffer: ArrayBuffer, parser: ItemParser<T>): Array<T> {
  const out = parser.createEmptyArray();
  const length = <u64>buffer.byteLength;
  if (length < 4) return out;
  const base = changetype<usize>(buffer);
  const count = <u64>load<u32>(base);
  if (4 + count * 4 > length) return out;
  let data: u64 = 4 + count * 4;
  for (let i: u64 = 0; i < count; i++) {
    const size = <u64>load<u32>(base + 4 + <usize>i * 4);
    if (data + size > length) break;
    const item = parser.parseItem(buffer, <u32>data, <u32>size);
    if (item !== null) out.push(item);
    data += size + 1;
  }
  return out;
}

/** A sorted-set member and its score. */
export class ValueScoreTuple {
  constructor(
    public value: ArrayBuffer,
    public score: f64,
  ) {}
}

/** Sorted-set items: the value bytes, then the score as a little-endian f64. */
class ValueScoreTupleParser extends ItemParser<ValueScoreTuple> {
  parseItem(buffer: ArrayBuffer, dataIndex: u32, itemSize: u32): ValueScoreTuple | null {
    if (itemSize < 8) return null;
    const valueSize = itemSize - 8;
    const value = buffer.slice(<i32>dataIndex, <i32>(dataIndex + valueSize));
    const score = load<f64>(changetype<usize>(buffer) + dataIndex + valueSize);
    return new ValueScoreTuple(value, score);
  }
  createEmptyArray(): Array<ValueScoreTuple> {
    return new Array<ValueScoreTuple>();
  }
}

/** A FastEdge key-value store. */
export class KvStore {
  private constructor(private handle: u32) {}

  /** Opens store `storeName`, or null when it cannot be opened. */
  static open(storeName: string): KvStore | null {
    const name = encodeString(storeName);
    if (proxy_kv_store_open(changetype<usize>(name), name.byteLength, RETURN_U32) != WasmResult.Ok) {
      return null;
    }
    return new KvStore(load<u32>(RETURN_U32));
  }

  /** The value of `key`, or null. */
  get(key: string): ArrayBuffer | null {
    const k = encodeString(key);
    clearReturned();
    const result = proxy_kv_store_get(this.handle, changetype<usize>(k), k.byteLength, RETURN_PTR, RETURN_LEN);
    return result == WasmResult.Ok ? takeBuffer() : null;
  }

  /** The keys matching `pattern` (with a wildcard: `foo*`). */
  scan(pattern: string): Array<string> {
    const p = encodeString(pattern);
    clearReturned();
    const result = proxy_kv_store_scan(this.handle, changetype<usize>(p), p.byteLength, RETURN_PTR, RETURN_LEN);
    if (result != WasmResult.Ok) return new Array<string>();
    return parseBufferToList<string>(takeBuffer(), new StringParser());
  }

  /** The members of sorted set `key` with a score between `min` and `max`. */
  zrangeByScore(key: string, min: f64, max: f64): Array<ValueScoreTuple> {
    const k = encodeString(key);
    clearReturned();
    const result = proxy_kv_store_zrange_by_score(
      this.handle, changetype<usize>(k), k.byteLength, min, max, RETURN_PTR, RETURN_LEN,
    );
    if (result != WasmResult.Ok) return new Array<ValueScoreTuple>();
    return parseBufferToList<ValueScoreTuple>(takeBuffer(), new ValueScoreTupleParser());
  }

  /** The members of sorted set `key` matching `pattern`. */
  zscan(key: string, pattern: string): Array<ValueScoreTuple> {
    const k = encodeString(key);
    const p = encodeString(pattern);
    clearReturned();
    const result = proxy_kv_store_zscan(
      this.handle, changetype<usize>(k), k.byteLength, changetype<usize>(p), p.byteLength, RETURN_PTR, RETURN_LEN,
    );
    if (result != WasmResult.Ok) return new Array<ValueScoreTuple>();
    return parseBufferToList<ValueScoreTuple>(takeBuffer(), new ValueScoreTupleParser());
  }

  /** Whether `item` is in bloom filter `key`. */
  bfExists(key: string, item: string): bool {
    const k = encodeString(key);
    const i = encodeString(item);
    const result = proxy_kv_store_bf_exists(
      this.handle, changetype<usize>(k), k.byteLength, changetype<usize>(i), i.byteLength, RETURN_U32,
    );
    return result == WasmResult.Ok && load<u32>(RETURN_U32) != 0;
  }

  /** The store's handle. */
  getHandle(): u32 {
    return this.handle;
  }
}
