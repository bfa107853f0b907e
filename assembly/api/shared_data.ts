import { proxy_get_shared_data, proxy_set_shared_data } from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { RETURN_LEN, RETURN_PTR, RETURN_U32, clearReturned, takeBuffer } from "../dispatch/memory";
import { arg0Len, arg0Ptr, encode1 } from "../dispatch/utf8";
import { decodeString, encodeString } from "../dispatch/utf8_codec";

/** A value read from shared data with its compare-and-swap stamp. */
export class SharedData {
  constructor(
    /** The value's bytes (empty when it is set to nothing). */
    public value: ArrayBuffer,
    /** The stamp to pass to `setSharedData` for a compare-and-swap write. */
    public cas: u32,
  ) {}

  /** The value decoded as UTF-8. */
  get text(): string {
    return decodeString(this.value);
  }
}

/**
 * Reads `key` from the data shared by every plugin and worker of this VM id: null when it is
 * not set, an empty `value` when it is set to nothing.
 */
export function getSharedData(key: string): SharedData | null {
  encode1(key);
  clearReturned();
  const result = proxy_get_shared_data(arg0Ptr, arg0Len, RETURN_PTR, RETURN_LEN, RETURN_U32);
  if (result != WasmResult.Ok) return null;
  const cas = load<u32>(RETURN_U32);
  return new SharedData(takeBuffer(), cas);
}

/**
 * Writes `key`. With `cas` 0 it overwrites; otherwise it fails with `CasMismatch` when the
 * value changed since the read that returned `cas` (read again and retry). Returns Ok or why not.
 */
export function setSharedData(key: string, value: ArrayBuffer, cas: u32 = 0): WasmResult {
  encode1(key);
  return <WasmResult>(
    proxy_set_shared_data(arg0Ptr, arg0Len, changetype<usize>(value), value.byteLength, cas)
  );
}

/** Like `setSharedData`, with the UTF-8 bytes of `value`. Returns Ok or why not. */
export function setSharedDataString(key: string, value: string, cas: u32 = 0): WasmResult {
  return setSharedData(key, encodeString(value), cas);
}
