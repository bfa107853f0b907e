// The bytes Envoy holds for a stopped filter (a buffered HTTP body, a TCP read buffer), appended
// chunk by chunk.

const EMPTY = Buffer.alloc(0);

/**
 * A byte buffer whose capacity doubles, so holding an N-byte body that arrives in k chunks copies
 * O(N) bytes instead of O(N·k) (one `Buffer.concat` of everything held per chunk).
 *
 * `bytes()` is a view, not a copy. That is safe because a byte, once written, is never written
 * again: appends go past the end of every view handed out, and `replace` / `clear` / `take` drop
 * the storage instead of reusing it.
 */
export class GrowableBuffer {
  private store: Buffer = EMPTY;
  private len = 0;
  /** The view of the current bytes, so repeated reads get the same Buffer, as before. */
  private view: Buffer | null = EMPTY;

  get length(): number {
    return this.len;
  }

  /** Copies `chunk` in: the caller may reuse its array afterwards. */
  append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const need = this.len + chunk.length;
    if (need > this.store.length) {
      const next = Buffer.allocUnsafe(Math.max(need, this.store.length * 2));
      this.store.copy(next, 0, 0, this.len);
      this.store = next;
    }
    this.store.set(chunk, this.len);
    this.len = need;
    this.view = null;
  }

  /** The bytes so far as one Buffer (a view; the same object until the next change). */
  bytes(): Buffer {
    return (this.view ??= this.store.subarray(0, this.len));
  }

  /** Makes `data` the content, without a copy: `bytes()` returns `data` itself. */
  replace(data: Buffer): void {
    // Full (len === store.length), so the next append moves to new storage and never writes
    // into `data`.
    this.store = data;
    this.len = data.length;
    this.view = data;
  }

  clear(): void {
    this.store = EMPTY;
    this.len = 0;
    this.view = EMPTY;
  }

  /** The bytes, leaving the buffer empty. */
  take(): Buffer {
    const out = this.bytes();
    this.clear();
    return out;
  }
}
