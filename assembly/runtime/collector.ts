// When the minimal runtime collects garbage. It never collects on its own, and a collection
// walks every live object (root contexts, the context table, …), a fixed cost. Paying it at every
// stream end made add_header 1.9× the hand-written limit; paying it once per 32 streams, or
// sooner once the host has handed over a lot of bytes, made it 1.38× (bench/RESULTS.md).
// Counting bytes matters: with a stream count alone one large body's garbage piles up.
// Both call sites are points where no managed object lives only on the stack: the end of a
// stream, and the entry to a callback (the host calls in during a callback only through the
// allocator, which never collects).
import { handedOverBytes, resetHandedOver } from "./memory";

/** Collect after this many stream ends at the latest. */
const STREAMS_PER_COLLECTION: u32 = 32;
/** Collect on the next callback once the host handed over this many bytes. */
const HANDED_OVER_BYTES_PER_COLLECTION: usize = 128 * 1024;

let streamsSinceCollection: u32 = 0;

function collectNow(): void {
  __collect();
  streamsSinceCollection = 0;
  resetHandedOver();
}

/** At a stream's end (`proxy_on_delete`). */
export function collectAfterStream(): void {
  if (ASC_RUNTIME != 1) return; // 1: Runtime.Minimal; the incremental runtime collects itself
  streamsSinceCollection++;
  if (
    streamsSinceCollection >= STREAMS_PER_COLLECTION ||
    handedOverBytes() >= HANDED_OVER_BYTES_PER_COLLECTION
  ) {
    collectNow();
  }
}

/** On entry to any callback. */
export function collectIfMuchHandedOver(): void {
  if (ASC_RUNTIME != 1) return;
  if (handedOverBytes() >= HANDED_OVER_BYTES_PER_COLLECTION) collectNow();
}
