// Memory hand-off with the host (docs/abi.md §4). The host calls our allocator in the
// middle of a hostcall and writes a (pointer, length) pair into out-slots we pass; we then own
// that block.
// When the runtime collects only when the SDK asks (its own, or "minimal"), every block is
// already an ArrayBuffer: nothing collects while the host fills it, `takeBuffer` hands it out
// without a copy, and an unused block is garbage like any other. With a runtime that collects
// on its own (incremental), blocks come from `heap.alloc`, outside the collector, and are copied.
import { decodeUtf8 } from "./utf8_codec";

/** Out-slots for hostcalls, in static memory so a hostcall never allocates to receive a result. */
const slots: usize = memory.data(32);
/** Where the host writes the address of a returned block (u32). */
export const RETURN_PTR: usize = slots;
/** Where the host writes the length of a returned block (u32). */
export const RETURN_LEN: usize = slots + 4;
/** Where the host writes a third u32 result (cas, flags, ids, tokens, status codes). */
export const RETURN_U32: usize = slots + 8;
/** Where the host writes a u64 result (time, metric value); 8-byte aligned. */
export const RETURN_U64: usize = slots + 16;

let handedOver: usize = 0;

/**
 * True when the runtime collects only when the SDK asks: the SDK's own (assembly/heap) or
 * AssemblyScript's "minimal". Then host blocks are ArrayBuffers (see the top of this file), and
 * collector.ts decides when to collect.
 */
export const COLLECTS_ON_REQUEST: bool = isDefined(__proxy_rt_allocated) || ASC_RUNTIME == 1;

// A block read once and dropped before the next hostcall (a header value, decoded into a
// string at once) need not be an object of its own for the collector to sweep later: the host
// writes it into one reusable block instead. Larger blocks take the usual way.
const TRANSIENT_MAX: usize = 4096;
let transient: usize = 0;
let transientNext = false;

/** The block the host asks for in the coming hostcall is read and dropped before the next
 * hostcall, so it may go into the reusable block. Call `endTransient()` after the hostcall. */
export function beginTransient(): void {
  transientNext = true;
}

/** Ends `beginTransient()`, whether or not the host asked for a block. */
export function endTransient(): void {
  transientNext = false;
}

/** The allocator the host calls (exported as `proxy_on_memory_allocate`). */
export function allocate(size: usize): usize {
  if (transientNext && size <= TRANSIENT_MAX) {
    transientNext = false;
    if (transient == 0) transient = heap.alloc(TRANSIENT_MAX);
    return transient;
  }
  handedOver += size;
  if (!COLLECTS_ON_REQUEST) return heap.alloc(size);
  // The host writes every byte it asked for before we read any (a block it wrote less of is
  // copied by takeBuffer), so the SDK's runtime skips zeroing it.
  if (isDefined(__proxy_rt_new_unzeroed)) return __proxy_rt_new_unzeroed(size, idof<ArrayBuffer>());
  return __new(size, idof<ArrayBuffer>());
}

/** Gives back a block the host returned, once read. */
export function release(ptr: usize): void {
  if (!COLLECTS_ON_REQUEST && ptr != 0 && ptr != transient) heap.free(ptr);
}

/** Bytes the host handed over through the allocator since `resetHandedOver()`. */
export function handedOverBytes(): usize {
  return handedOver;
}

/** Starts counting handed-over bytes from zero again. */
export function resetHandedOver(): void {
  handedOver = 0;
}

/** The block the last hostcall returned, as an ArrayBuffer of its length. */
export function takeBuffer(): ArrayBuffer {
  const ptr = <usize>load<u32>(RETURN_PTR);
  const len = <usize>load<u32>(RETURN_LEN);
  if (COLLECTS_ON_REQUEST && ptr != 0 && len == <usize>changetype<ArrayBuffer>(ptr).byteLength) {
    return changetype<ArrayBuffer>(ptr);
  }
  const out = new ArrayBuffer(<i32>len);
  if (len > 0) {
    memory.copy(changetype<usize>(out), ptr, len);
  }
  release(ptr);
  return out;
}

/** Decodes the block the last hostcall returned as UTF-8 and frees it. */
export function takeString(): string {
  const ptr = <usize>load<u32>(RETURN_PTR);
  const len = <usize>load<u32>(RETURN_LEN);
  if (ptr == 0) return "";
  const out = decodeUtf8(ptr, len);
  release(ptr);
  return out;
}

/** Frees the block the last hostcall returned without reading it. */
export function dropReturned(): void {
  release(<usize>load<u32>(RETURN_PTR));
}

/** Clears the out-slots so a failed hostcall cannot leave a stale pointer behind. */
export function clearReturned(): void {
  store<u64>(RETURN_PTR, 0);
}
