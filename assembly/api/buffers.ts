import {
  proxy_get_buffer_bytes,
  proxy_get_buffer_status,
  proxy_set_buffer_bytes,
} from "../abi/imports";
import { BufferType, WasmResult } from "../abi/enums";
import {
  RETURN_LEN,
  RETURN_PTR,
  RETURN_U32,
  clearReturned,
  takeBuffer,
  takeString,
} from "../dispatch/memory";
import { encodeString } from "../dispatch/utf8_codec";
import { Result } from "./result";

/**
 * One of the host's byte buffers (`requestBody`, `downstreamData`, `httpCallResponseBody`,
 * `pluginConfiguration`, …). Reads are clamped by the host; writes follow Envoy's rules (replace
 * from the start, or append at the end).
 */
export class Buffer {
  constructor(
    /** Which of the host's buffers this is. */
    public readonly type: BufferType,
  ) {}

  /**
   * Up to `maxSize` bytes from `start`: null when the buffer is not available here (for example
   * the plugin configuration outside `onConfigure`), empty when it holds nothing.
   */
  get(start: u32 = 0, maxSize: u32 = u32.MAX_VALUE): ArrayBuffer | null {
    clearReturned();
    const result = proxy_get_buffer_bytes(this.type, start, maxSize, RETURN_PTR, RETURN_LEN);
    if (result != WasmResult.Ok) return null;
    return takeBuffer();
  }

  /** Like `get`, decoded as UTF-8: null when the buffer is not available, "" when empty. */
  getString(start: u32 = 0, maxSize: u32 = u32.MAX_VALUE): string | null {
    clearReturned();
    const result = proxy_get_buffer_bytes(this.type, start, maxSize, RETURN_PTR, RETURN_LEN);
    if (result != WasmResult.Ok) return null;
    return takeString();
  }

  /** The buffer's current length in bytes; not `ok` when the buffer is not available. */
  length(): Result<u32> {
    const result = <WasmResult>proxy_get_buffer_status(this.type, RETURN_U32, RETURN_LEN);
    return new Result<u32>(result, result == WasmResult.Ok ? load<u32>(RETURN_U32) : 0);
  }

  /** Replaces the whole content with `data`. Returns Ok or why not. */
  replace(data: ArrayBuffer): WasmResult {
    // Drain exactly the current length: Envoy does not clamp the drain size.
    const result = <WasmResult>proxy_get_buffer_status(this.type, RETURN_U32, RETURN_LEN);
    if (result != WasmResult.Ok) return result;
    return this.setBytes(0, load<u32>(RETURN_U32), data);
  }

  /** Inserts `data` before the current content. Returns Ok or why not. */
  prepend(data: ArrayBuffer): WasmResult {
    return this.setBytes(0, 0, data);
  }

  /** Adds `data` after the current content. Returns Ok or why not. */
  append(data: ArrayBuffer): WasmResult {
    return this.setBytes(u32.MAX_VALUE, 0, data);
  }

  /** Replaces the content with the UTF-8 bytes of `text`. Returns Ok or why not. */
  replaceString(text: string): WasmResult {
    return this.replace(encodeString(text));
  }

  /** Inserts the UTF-8 bytes of `text` before the current content. Returns Ok or why not. */
  prependString(text: string): WasmResult {
    return this.prepend(encodeString(text));
  }

  /** Adds the UTF-8 bytes of `text` after the current content. Returns Ok or why not. */
  appendString(text: string): WasmResult {
    return this.append(encodeString(text));
  }

  /**
   * The raw `proxy_set_buffer_bytes`: `start` 0 drops `size` bytes and inserts `data` in front;
   * `start` at or past the end appends; anything in between is `BadArgument` on Envoy. Returns
   * Ok or why not.
   */
  setBytes(start: u32, size: u32, data: ArrayBuffer): WasmResult {
    return <WasmResult>(
      proxy_set_buffer_bytes(this.type, start, size, changetype<usize>(data), data.byteLength)
    );
  }
}
