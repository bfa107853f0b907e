// Access to the module's linear memory from a hostcall. Every accessor re-reads `memory.buffer`,
// because a call into the module (the allocator) may grow memory and detach the old buffer.
import { MemoryAccessError } from "./errors.js";

export class WasmMemory {
  constructor(
    /** The exported memory; undefined while a start section runs (the instance does not exist yet). */
    private readonly getMemory: () => WebAssembly.Memory | undefined,
    /** Calls the module's allocator; returns 0 on failure. */
    private readonly allocate: (size: number) => number,
  ) {}

  private get memory(): WebAssembly.Memory {
    const m = this.getMemory();
    if (!m) throw new MemoryAccessError("linear memory is not available yet (start section)");
    return m;
  }

  get size(): number {
    return this.memory.buffer.byteLength;
  }

  private check(ptr: number, len: number): void {
    if (ptr < 0 || len < 0 || ptr + len > this.memory.buffer.byteLength) {
      throw new MemoryAccessError(`out of bounds: ptr=${ptr} len=${len}`);
    }
  }

  /** A copy of `len` bytes at `ptr`. */
  read(ptr: number, len: number): Buffer {
    ptr >>>= 0;
    len >>>= 0;
    this.check(ptr, len);
    return Buffer.from(new Uint8Array(this.memory.buffer, ptr, len));
  }

  readString(ptr: number, len: number): string {
    return this.read(ptr, len).toString("utf8");
  }

  write(ptr: number, data: Uint8Array): void {
    ptr >>>= 0;
    this.check(ptr, data.length);
    new Uint8Array(this.memory.buffer).set(data, ptr);
  }

  u32(ptr: number): number {
    ptr >>>= 0;
    this.check(ptr, 4);
    return new DataView(this.memory.buffer).getUint32(ptr, true);
  }

  setU32(ptr: number, value: number): void {
    ptr >>>= 0;
    this.check(ptr, 4);
    new DataView(this.memory.buffer).setUint32(ptr, value >>> 0, true);
  }

  setU64(ptr: number, value: bigint): void {
    ptr >>>= 0;
    this.check(ptr, 8);
    new DataView(this.memory.buffer).setBigUint64(ptr, BigInt.asUintN(64, value), true);
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
}
