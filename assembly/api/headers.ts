import {
  proxy_add_header_map_value,
  proxy_get_header_map_pairs,
  proxy_get_header_map_size,
  proxy_get_header_map_value,
  proxy_remove_header_map_value,
  proxy_replace_header_map_value,
  proxy_set_header_map_pairs,
} from "../abi/imports";
import { HeaderMapType, WasmResult } from "../abi/enums";
import {
  RETURN_LEN,
  RETURN_PTR,
  RETURN_U32,
  beginTransient,
  clearReturned,
  dropReturned,
  endTransient,
  release,
  takeString,
} from "../dispatch/memory";
import { arg0Len, arg0Ptr, arg1Len, arg1Ptr, encode1, encode2 } from "../dispatch/utf8";
import { HeaderPair, Headers, deserializeHeaders, serializeHeaders } from "./pairs";
import { Result } from "./result";

/**
 * One of the host's header or metadata maps (`requestHeaders`, `responseTrailers`,
 * `httpCallResponseHeaders`, …). Names are lower-cased by the host. A map is only available in
 * its own callback (and in `onLog`); elsewhere reads return null and writes `BadArgument`.
 */
export class HeaderMap {
  // Every read is one proxy_get_header_map_value. A copy of the whole map
  // (proxy_get_header_map_pairs) serving repeated reads was slower even for 20 reads of a
  // 24-header map (bench header_heavy: 14.7 µs against 8.5 µs a request): the host encodes every
  // name and value for it, and each read still scans the copy and decodes its value.
  constructor(
    /** Which of the host's maps this is. */
    public readonly type: HeaderMapType,
  ) {}

  /**
   * The first value of `name`: null when the map has no `name` (or is not available in this
   * callback), "" when `name` is present with an empty value.
   */
  get(name: string): string | null {
    encode1(name);
    clearReturned();
    beginTransient(); // the value is decoded before the next hostcall
    const result = proxy_get_header_map_value(this.type, arg0Ptr, arg0Len, RETURN_PTR, RETURN_LEN);
    endTransient();
    if (result != WasmResult.Ok) return null;
    return takeString();
  }

  /** True when `name` is present; false when it is absent or the map is not available. */
  has(name: string): bool {
    encode1(name);
    clearReturned();
    beginTransient(); // the value is not even read
    const result = proxy_get_header_map_value(this.type, arg0Ptr, arg0Len, RETURN_PTR, RETURN_LEN);
    endTransient();
    if (result != WasmResult.Ok) return false;
    dropReturned();
    return true;
  }

  /** Adds a `name: value` entry; an existing `name` keeps its entries. Returns Ok or why not. */
  add(name: string, value: string): WasmResult {
    encode2(name, value);
    return <WasmResult>proxy_add_header_map_value(this.type, arg0Ptr, arg0Len, arg1Ptr, arg1Len);
  }

  /** Sets `name` to `value`, replacing its first entry or adding one. Returns Ok or why not. */
  replace(name: string, value: string): WasmResult {
    encode2(name, value);
    return <WasmResult>(
      proxy_replace_header_map_value(this.type, arg0Ptr, arg0Len, arg1Ptr, arg1Len)
    );
  }

  /** Removes every entry of `name`. Returns Ok (also when it was absent) or why not. */
  remove(name: string): WasmResult {
    encode1(name);
    return <WasmResult>proxy_remove_header_map_value(this.type, arg0Ptr, arg0Len);
  }

  /**
   * Every entry, in order: empty when the map has none (Envoy also answers so for a map that is
   * not available here), null when the host refuses.
   */
  getAll(): Headers | null {
    clearReturned();
    const result = proxy_get_header_map_pairs(this.type, RETURN_PTR, RETURN_LEN);
    const ptr = <usize>load<u32>(RETURN_PTR);
    const len = <usize>load<u32>(RETURN_LEN);
    if (result != WasmResult.Ok) return null;
    if (ptr == 0) return new Array<HeaderPair>();
    const headers = deserializeHeaders(ptr, len);
    release(ptr);
    return headers;
  }

  /** Replaces the whole map with `headers`. Returns Ok or why not. */
  setAll(headers: Headers): WasmResult {
    const bytes = serializeHeaders(headers);
    return <WasmResult>(
      proxy_set_header_map_pairs(this.type, changetype<usize>(bytes), bytes.byteLength)
    );
  }

  /**
   * The map's size as the host counts it (Envoy: the bytes of all names and values); not `ok`
   * when the map is not available.
   */
  byteSize(): Result<u32> {
    const result = <WasmResult>proxy_get_header_map_size(this.type, RETURN_U32);
    return new Result<u32>(result, result == WasmResult.Ok ? load<u32>(RETURN_U32) : 0);
  }
}
