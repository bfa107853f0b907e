// When garbage is collected. Neither the SDK's own runtime (assembly/rt) nor AssemblyScript's
// "minimal" one collects on its own, and a collection walks every live object (root contexts,
// the context table, …), a fixed cost. Paying it at every stream end made add_header 1.9× the
// hand-written limit; paying it once per 32 streams, or sooner once much was allocated, keeps
// it near the limit (bench/RESULTS.md). Counting bytes matters: with a stream count alone one
// large body's garbage piles up.
// Both call sites are points where no managed object lives only on the stack: the end of a
// stream, and the entry to a callback (the host calls in during a callback only through the
// allocator, which never collects).
import { COLLECTS_ON_REQUEST, handedOverBytes, resetHandedOver } from "./memory";

/** Collect after this many stream ends at the latest. */
const STREAMS_PER_COLLECTION: u32 = 32;
/** Collect on the next callback once this many bytes were allocated. */
const BYTES_PER_COLLECTION: usize = 128 * 1024;

let streamsSinceCollection: u32 = 0;

/** Bytes allocated since the last collection, as far as the runtime tells. */
function pressure(): usize {
  if (isDefined(__proxy_rt_allocated)) return __proxy_rt_allocated();
  return handedOverBytes();
}

function collectNow(): void {
  __collect();
  streamsSinceCollection = 0;
  resetHandedOver();
}

/** At a stream's end (`proxy_on_delete`). */
export function collectAfterStream(): void {
  if (!COLLECTS_ON_REQUEST) return;
  streamsSinceCollection++;
  if (streamsSinceCollection >= STREAMS_PER_COLLECTION || pressure() >= BYTES_PER_COLLECTION) {
    collectNow();
  }
}

/** On entry to any callback. */
export function collectIfMuchAllocated(): void {
  if (!COLLECTS_ON_REQUEST) return;
  if (pressure() >= BYTES_PER_COLLECTION) collectNow();
}
