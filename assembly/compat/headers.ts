// Header maps under the names of @solo-io/proxy-runtime and @gcoredev/proxy-wasm-sdk-as:
// `stream_context` (with the callout reply as `http_callback`) and the `*_header_map_value*`
// functions, on top of the SDK's HeaderMap. This file uses AssemblyScript-only decorators, so it
// is listed in .prettierignore.
import {
  proxy_add_header_map_value,
  proxy_get_header_map_value,
  proxy_remove_header_map_value,
  proxy_replace_header_map_value,
} from "../abi/imports";
import { HeaderMapType, WasmResult } from "../abi/enums";
import { HeaderMap } from "../api/headers";
import { HeaderPair, Headers } from "../api/pairs";
import { RETURN_LEN, RETURN_PTR, clearReturned, takeBuffer } from "../dispatch/memory";
import { encodeString } from "../dispatch/utf8_codec";

/** One header map with the runtime's method names: `get` answers "" for a missing header. */
export class HeaderStreamManipulator {
  private readonly map: HeaderMap;

  constructor(typ: HeaderMapType) {
    this.map = new HeaderMap(typ);
  }

  /** Adds `key: value`; an existing `key` keeps its entries. */
  add(key: string, value: string): WasmResult {
    return this.map.add(key, value);
  }

  /** Sets `key` to `value`, replacing its first entry or adding one. */
  replace(key: string, value: string): WasmResult {
    return this.map.replace(key, value);
  }

  /** The first value of `key`, or "" when it is absent. */
  get(key: string): string {
    const value = this.map.get(key);
    return value !== null ? value : "";
  }

  /** Removes every entry of `key`. */
  remove(key: string): WasmResult {
    return this.map.remove(key);
  }

  /** Every entry in order; empty when the map is not available. */
  get_headers(): Headers {
    const headers = this.map.getAll();
    return headers !== null ? headers : new Array<HeaderPair>();
  }

  /** Replaces the whole map with `headers`. */
  set_headers(headers: Headers): WasmResult {
    return this.map.setAll(headers);
  }
}

/** Request, response and callout-reply maps of one kind (headers or trailers). */
export class HeaderMapManipulator {
  constructor(
    public readonly request: HeaderStreamManipulator,
    public readonly response: HeaderStreamManipulator,
    /** The reply of an HTTP callout, readable in its callback. */
    public readonly http_callback: HeaderStreamManipulator,
  ) {}
}

/** The headers and trailers of the current stream and of a callout reply. */
export class StreamContext {
  constructor(
    public readonly headers: HeaderMapManipulator,
    public readonly trailers: HeaderMapManipulator,
  ) {}
}

/** `stream_context.headers.request.get("x")`, `stream_context.headers.http_callback.get("x")` … */
// @ts-ignore: decorator
@lazy export const stream_context = new StreamContext(
  new HeaderMapManipulator(
    new HeaderStreamManipulator(HeaderMapType.HttpRequestHeaders),
    new HeaderStreamManipulator(HeaderMapType.HttpResponseHeaders),
    new HeaderStreamManipulator(HeaderMapType.HttpCallResponseHeaders),
  ),
  new HeaderMapManipulator(
    new HeaderStreamManipulator(HeaderMapType.HttpRequestTrailers),
    new HeaderStreamManipulator(HeaderMapType.HttpResponseTrailers),
    new HeaderStreamManipulator(HeaderMapType.HttpCallResponseTrailers),
  ),
);

/** A header pair from two strings, encoded as UTF-8. */
export function makeHeaderPair(key: string, value: string): HeaderPair {
  return new HeaderPair(encodeString(key), encodeString(value));
}

/** Adds `key: value` (raw bytes) to map `typ`. */
export function add_header_map_value(
  typ: HeaderMapType,
  key: ArrayBuffer,
  value: ArrayBuffer,
): WasmResult {
  return <WasmResult>(
    proxy_add_header_map_value(
      typ,
      changetype<usize>(key),
      key.byteLength,
      changetype<usize>(value),
      value.byteLength,
    )
  );
}

/** Adds `key: value` to map `typ`. */
export function add_header_map_value_string(
  typ: HeaderMapType,
  key: string,
  value: string,
): WasmResult {
  return new HeaderMap(typ).add(key, value);
}

/** The first value of `key` in map `typ`, or an empty buffer. */
export function get_header_map_value(typ: HeaderMapType, key: ArrayBuffer): ArrayBuffer {
  clearReturned();
  const result = proxy_get_header_map_value(
    typ,
    changetype<usize>(key),
    key.byteLength,
    RETURN_PTR,
    RETURN_LEN,
  );
  return result == WasmResult.Ok ? takeBuffer() : new ArrayBuffer(0);
}

/** The first value of `key` in map `typ`, or "". */
export function get_header_map_value_string(typ: HeaderMapType, key: string): string {
  return new HeaderStreamManipulator(typ).get(key);
}

/** Sets `key` to `value` (raw bytes) in map `typ`. */
export function replace_header_map_value(
  typ: HeaderMapType,
  key: ArrayBuffer,
  value: ArrayBuffer,
): void {
  proxy_replace_header_map_value(
    typ,
    changetype<usize>(key),
    key.byteLength,
    changetype<usize>(value),
    value.byteLength,
  );
}

/** Sets `key` to `value` in map `typ`. */
export function replace_header_map_value_string(typ: HeaderMapType, key: string, value: string): void {
  new HeaderMap(typ).replace(key, value);
}

/** Removes every entry of `key` (raw bytes) from map `typ`. */
export function remove_header_map_value(typ: HeaderMapType, key: ArrayBuffer): void {
  proxy_remove_header_map_value(typ, changetype<usize>(key), key.byteLength);
}

/** Removes every entry of `key` from map `typ`. */
export function remove_header_map_value_string(typ: HeaderMapType, key: string): void {
  new HeaderMap(typ).remove(key);
}

/** The size of map `typ` as the host counts it, or 0 when it is not available. */
export function get_header_map_size(typ: HeaderMapType): usize {
  const size = new HeaderMap(typ).byteSize();
  return size.ok ? <usize>size.value : 0;
}
