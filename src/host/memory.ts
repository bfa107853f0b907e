// Access to the module's linear memory from a hostcall. A call into the module (the allocator)
// may grow memory, which detaches the old buffer (its views then have length 0), or, for shared
// memory, hands out a longer one. So the views over `memory.buffer` are cached and re-read only
// when an access falls outside them: a stale view can only be too short, never wrong.
import { MemoryAccessError } from "./errors.js";

const NO_BYTES = Buffer.alloc(0);
/** Entries of the decoded-string cache: 2-way buckets (a power of two). */
const DECODED_SLOTS = 512;

export class WasmMemory {
  private mem: WebAssembly.Memory | undefined;
  /** Views over the whole of `mem.buffer` as last seen. */
  private bytes: Buffer = NO_BYTES;
  private view = new DataView(NO_BYTES.buffer, 0, 0);
  /** Recently decoded short strings and their bytes, by hash slot (see readString). */
  private readonly decodedBytes: (Uint8Array | undefined)[] = new Array(DECODED_SLOTS);
  private readonly decodedStrings: string[] = new Array(DECODED_SLOTS).fill("");

  constructor(
    /** The exported memory; undefined while a start section runs (the instance does not exist yet). */
    private readonly getMemory: () => WebAssembly.Memory | undefined,
    /** Calls the module's allocator; returns 0 on failure. */
    private readonly allocate: (size: number) => number,
  ) {}

  private get memory(): WebAssembly.Memory {
    const m = (this.mem ??= this.getMemory());
    if (!m) throw new MemoryAccessError("linear memory is not available yet (start section)");
    return m;
  }

  get size(): number {
    return this.memory.buffer.byteLength;
  }

  /** Re-reads `memory.buffer` (throws before the instance exists). */
  private refresh(): Buffer {
    const buffer = this.memory.buffer;
    if (buffer !== this.bytes.buffer) {
      this.bytes = Buffer.from(buffer);
      this.view = new DataView(buffer);
    }
    return this.bytes;
  }

  /** The bytes view, checked to hold [ptr, ptr + len) (both already unsigned). */
  private checked(ptr: number, len: number): Buffer {
    const b = this.bytes;
    // An empty view also covers "no memory yet", which must fail even for a 0-byte access.
    if (ptr + len <= b.length && b.length !== 0) return b;
    const fresh = this.refresh();
    if (ptr + len > fresh.length) {
      throw new MemoryAccessError(`out of bounds: ptr=${ptr} len=${len}`);
    }
    return fresh;
  }

  /** A copy of `len` bytes at `ptr`. */
  read(ptr: number, len: number): Buffer {
    ptr >>>= 0;
    len >>>= 0;
    const b = this.checked(ptr, len);
    const out = Buffer.allocUnsafe(len);
    b.copy(out, 0, ptr, ptr + len);
    return out;
  }

  readString(ptr: number, len: number): string {
    ptr >>>= 0;
    len >>>= 0;
    const b = this.checked(ptr, len);
    if (len > SHORT) return b.toString("utf8", ptr, ptr + len);
    // Header names and the like repeat on every request: a short string whose bytes were seen
    // recently is taken from a small 2-way cache (checked byte by byte) instead of decoded.
    let h = len;
    for (let i = ptr; i < ptr + len; i++) h = Math.imul(h ^ b[i], 0x01000193);
    // FNV's low bits are weak: mix the high ones in before picking the bucket.
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    const slot = (h ^ (h >>> 13)) & (DECODED_SLOTS - 2);
    const bytes = this.decodedBytes;
    if (sameBytes(bytes[slot], b, ptr, len)) return this.decodedStrings[slot];
    if (sameBytes(bytes[slot + 1], b, ptr, len)) return this.decodedStrings[slot + 1];
    const s = b.toString("utf8", ptr, ptr + len);
    // The newer entry goes first; the older one moves to the second way.
    bytes[slot + 1] = bytes[slot];
    this.decodedStrings[slot + 1] = this.decodedStrings[slot];
    const copy = new Uint8Array(len);
    for (let i = 0; i < len; i++) copy[i] = b[ptr + i];
    bytes[slot] = copy;
    this.decodedStrings[slot] = s;
    return s;
  }

  write(ptr: number, data: Uint8Array): void {
    ptr >>>= 0;
    this.checked(ptr, data.length).set(data, ptr);
  }

  u32(ptr: number): number {
    ptr >>>= 0;
    this.checked(ptr, 4);
    return this.view.getUint32(ptr, true);
  }

  setU32(ptr: number, value: number): void {
    ptr >>>= 0;
    this.checked(ptr, 4);
    this.view.setUint32(ptr, value >>> 0, true);
  }

  setU64(ptr: number, value: bigint): void {
    ptr >>>= 0;
    this.checked(ptr, 8);
    this.view.setBigUint64(ptr, BigInt.asUintN(64, value), true);
  }

  /**
   * Hands a blob to the module as cpp-host `copyToPointerSize` does: empty → (0, 0) without
   * allocating; otherwise allocate through the module, copy, write ptr and len.
   */
  writeBlob(data: Uint8Array, ptrPtr: number, lenPtr: number): void {
    if (data.length === 0) {
      this.setU32(ptrPtr, 0);
      this.setU32(lenPtr, 0);
      return;
    }
    const p = this.allocate(data.length) >>> 0;
    if (p === 0) throw new MemoryAccessError("allocator returned 0");
    this.write(p, data);
    this.setU32(ptrPtr, p);
    this.setU32(lenPtr, data.length);
  }

  /** `writeBlob` of a string's UTF-8 bytes, encoded straight into the module's memory. */
  writeStringBlob(s: string, ptrPtr: number, lenPtr: number): void {
    // Short ASCII strings (most header values) are copied char by char: cheaper than a call
    // into the encoder.
    const ascii = s.length <= SHORT && isAscii(s);
    const n = ascii ? s.length : Buffer.byteLength(s, "utf8");
    if (n === 0) {
      this.setU32(ptrPtr, 0);
      this.setU32(lenPtr, 0);
      return;
    }
    const p = this.allocate(n) >>> 0;
    if (p === 0) throw new MemoryAccessError("allocator returned 0");
    const b = this.checked(p, n);
    if (ascii) for (let i = 0; i < n; i++) b[p + i] = s.charCodeAt(i);
    else b.write(s, p, n, "utf8");
    this.setU32(ptrPtr, p);
    this.setU32(lenPtr, n);
  }
}

/** Strings up to this length take the JS paths (ASCII copy, decoded-string cache). */
const SHORT = 64;

function sameBytes(seen: Uint8Array | undefined, b: Buffer, ptr: number, len: number): boolean {
  if (seen === undefined || seen.length !== len) return false;
  for (let i = 0; i < len; i++) if (seen[i] !== b[ptr + i]) return false;
  return true;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
