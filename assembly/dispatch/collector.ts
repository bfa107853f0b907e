// When garbage is collected. Neither the SDK's own runtime (assembly/heap) nor AssemblyScript's
// "minimal" one collects on its own, and a collection walks every live object (root contexts,
// the context table, …), a fixed cost. Paying it at every stream end made add_header 1.9× the
// hand-written limit; paying it once per 32 streams, or sooner once much was allocated, keeps
// it near the limit (bench/RESULTS.md). Counting bytes matters: with a stream count alone one
// large body's garbage piles up.
// Both call sites are points where no managed object lives only on the stack: the end of a
// stream, and the entry to a callback, as long as that callback is the only one running. Envoy
// calls in during a callback only through the allocator (which never collects) and defers
// everything else, but another host may call back into the module from inside a hostcall (a
// foreign function can), and the callback it starts must not sweep the objects the callbacks
// below it hold in locals. So every callback counts itself in and out (`enterCallback`,
// `leaveCallback`: the dispatcher's enter / leave), and collections happen only at depth 1;
// one due deeper waits for the next callback that starts at the top.
// A filter that calls `__collect()` itself only asks for a collection: the SDK's runtime runs it
// at the next such point (assembly/heap/gc.ts).
import { COLLECTS_ON_REQUEST, handedOverBytes, resetHandedOver } from "./memory";

/** Collect after this many stream ends at the latest. */
const STREAMS_PER_COLLECTION: u32 = 32;
/** Collect on the next callback once this many bytes were allocated. */
const BYTES_PER_COLLECTION: usize = 128 * 1024;

let streamsSinceCollection: u32 = 0;
/** Callbacks running: 1 inside a callback the host made from the top, more when it re-entered. */
let depth: u32 = 0;

/** On entry to every callback, before anything else. */
export function enterCallback(): void {
  depth++;
}

/** On every callback's way out. */
export function leaveCallback(): void {
  depth--;
}

/** Bytes allocated since the last collection, as far as the runtime tells. */
function pressure(): usize {
  if (isDefined(__proxy_rt_allocated)) return __proxy_rt_allocated();
  return handedOverBytes();
}

function collectNow(): void {
  if (isDefined(__proxy_rt_collect)) __proxy_rt_collect();
  else __collect();
  streamsSinceCollection = 0;
  resetHandedOver();
}

/** At a stream's end (`proxy_on_delete`). */
export function collectAfterStream(): void {
  if (!COLLECTS_ON_REQUEST) return;
  streamsSinceCollection++;
  collectIfMuchAllocated();
}

/** On entry to any callback (after `enterCallback`). */
export function collectIfMuchAllocated(): void {
  if (
    COLLECTS_ON_REQUEST &&
    depth == 1 &&
    (streamsSinceCollection >= STREAMS_PER_COLLECTION || pressure() >= BYTES_PER_COLLECTION)
  ) {
    collectNow();
  }
}
