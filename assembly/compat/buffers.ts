// Buffer access under the names of @solo-io/proxy-runtime and @gcoredev/proxy-wasm-sdk-as, on
// top of the SDK's Buffer.
import { proxy_get_buffer_status } from "../abi/imports";
import { BufferType, WasmResult } from "../abi/enums";
import { Buffer } from "../api/buffers";
import { RETURN_LEN, RETURN_U32 } from "../dispatch/memory";

/** Flags `get_buffer_status` reports. */
export enum BufferFlagsValues {
  EndOfStream = 1,
}

/** Up to `length` bytes of buffer `typ` from `start`; empty when the buffer is not available. */
export function get_buffer_bytes(typ: BufferType, start: u32, length: u32): ArrayBuffer {
  const bytes = new Buffer(typ).get(start, length);
  return bytes !== null ? bytes : new ArrayBuffer(0);
}

/**
 * Replaces `length` bytes of buffer `typ` at `start` with `value` (Envoy: `start` 0 replaces
 * from the front, `start` at the end appends).
 */
export function set_buffer_bytes(
  typ: BufferType,
  start: u32,
  length: u32,
  value: ArrayBuffer,
): WasmResult {
  return new Buffer(typ).setBytes(start, length, value);
}

/** What `get_buffer_status` answers: the host's result, the length and the flags. */
export class BufferStatusResult {
  result: WasmResult = WasmResult.Ok;
  length: usize = 0;
  flags: u32 = 0;
}

/** The length and flags of buffer `typ`. */
export function get_buffer_status(typ: BufferType): BufferStatusResult {
  const status = new BufferStatusResult();
  status.result = <WasmResult>proxy_get_buffer_status(typ, RETURN_U32, RETURN_LEN);
  if (status.result == WasmResult.Ok) {
    status.length = <usize>load<u32>(RETURN_U32);
    status.flags = load<u32>(RETURN_LEN);
  }
  return status;
}
