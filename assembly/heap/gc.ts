// The garbage collector of the proxy-wasm-as runtime: a stop-the-world mark & sweep that only
// runs when the SDK asks (`__proxy_rt_collect`, at points where no object lives only on the
// stack: see assembly/dispatch/collector.ts). Nothing happens behind an allocation's back, so the
// compiler needs no shadow stack. `__collect`, which filter code can call from anywhere, only
// asks for a collection at the SDK's next such point.
//
// Object header (AssemblyScript's layout, ~lib/rt/common), 20 bytes before the data:
//   mmInfo   block size | FREE | MANAGED   (blocks.ts)
//   gcInfo   next object on the grey list while marking
//   gcInfo2  bits 0-1: mark colour, bit 2: pinned
//   rtId, rtSize
// Static objects (strings and arrays in the data segment) carry colour 0, which is never the
// mark colour, so the first visit in every collection scans them too.
import { BLOCK_OVERHEAD, OBJECT_OVERHEAD, OBJECT_MAXSIZE, TOTAL_OVERHEAD } from "~lib/rt/common";
import {
  FREE,
  MANAGED,
  FLAGS,
  heapStart,
  heapTop,
  takeBlock,
  outOfMemory,
  freeBlock,
  giveBack,
  sweep,
  resetAllocated,
  requestCollection,
  checkBlocks,
  sweepCount,
} from "./blocks";

// @ts-ignore: decorator
@inline const PINNED: u32 = 4;
// @ts-ignore: decorator
@inline const COLOUR: u32 = 3;

/** The colour that means "reached" in the coming collection; 1 and 2 alternate. */
// @ts-ignore: decorator
@lazy let black: u32 = 1;
/** Objects reached but not yet scanned, linked through gcInfo. */
// @ts-ignore: decorator
@lazy let grey: usize = 0;
/** Pinned objects alive; when zero the collector skips looking for them. */
// @ts-ignore: decorator
@lazy let pinned: u32 = 0;

// @ts-ignore: decorator
@global @unsafe
export function __new(size: usize, id: u32): usize {
  const ptr = __proxy_rt_new_unzeroed(size, id);
  // With a custom runtime the standard library expects zeroed objects (as from Incremental).
  memory.fill(ptr, 0, size);
  return ptr;
}

/** A new object whose payload is left as memory had it: for a block the host fills at once
 * (the allocator it calls, assembly/dispatch/memory.ts), where zeroing 64 KiB of a body chunk
 * first would only cost time. */
// @ts-ignore: decorator
@global @unsafe
export function __proxy_rt_new_unzeroed(size: usize, id: u32): usize {
  if (size > OBJECT_MAXSIZE) outOfMemory();
  const block = takeBlock(size + OBJECT_OVERHEAD);
  store<usize>(block, load<usize>(block) | MANAGED);
  store<u32>(block, 0, 4); // gcInfo
  store<u32>(block, COLOUR ^ black, 8); // gcInfo2: white
  store<u32>(block, id, 12);
  store<u32>(block, <u32>size, 16);
  return block + TOTAL_OVERHEAD;
}

// @ts-ignore: decorator
@global @unsafe
export function __renew(oldPtr: usize, size: usize): usize {
  if (size > OBJECT_MAXSIZE) outOfMemory();
  const block = oldPtr - TOTAL_OVERHEAD;
  const oldSize = <usize>load<u32>(block, 16);
  // Objects in the data segment are not blocks of the heap: they always move.
  const inHeap = oldPtr >= heapStart + TOTAL_OVERHEAD;
  if (inHeap) {
    const info = load<usize>(block);
    const bytes = info & ~FLAGS;
    const want = (size + TOTAL_OVERHEAD + 15) & ~15;
    if (want <= bytes) {
      // Fits: a tail the smaller size no longer needs goes back (encodeString, for one,
      // allocates three bytes per character and then shrinks to the UTF-8 length).
      if (want < bytes) {
        store<usize>(block, want | (info & FLAGS));
        giveBack(block + want, bytes - want);
      }
      if (size > oldSize) memory.fill(oldPtr + oldSize, 0, size - oldSize);
      store<u32>(block, <u32>size, 16);
      return oldPtr;
    }
  }
  const newPtr = __new(size, load<u32>(block, 12));
  memory.copy(newPtr, oldPtr, min(size, oldSize));
  if (inHeap) {
    // A pinned object stays pinned where it moved: `pinned` keeps counting the pinned blocks.
    if (load<u32>(block, 8) & PINNED) {
      const info = newPtr - TOTAL_OVERHEAD + 8;
      store<u32>(info, load<u32>(info) | PINNED);
    }
    freeBlock(block);
  }
  return newPtr;
}

/** Makes object `ptr` read as `size` bytes, no more than it has: the block stays as it is (its
 * tail comes back when the object dies). For a string decoded into room for the longest
 * possible result, without the code of __renew. */
// @ts-ignore: decorator
@global @unsafe
export function __proxy_rt_shrink(ptr: usize, size: usize): void {
  store<u32>(ptr - TOTAL_OVERHEAD, <u32>size, 16);
}

// @ts-ignore: decorator
@global @unsafe
export function __link(parentPtr: usize, childPtr: usize, expectMultiple: bool): void {
  // Nothing to do: the collector never runs while the mutator is between two steps.
}

// @ts-ignore: decorator
@global @unsafe
export function __pin(ptr: usize): usize {
  // Only the host side pins (for JS bindings); pinning twice is harmless here.
  if (ptr) {
    const info = ptr - TOTAL_OVERHEAD + 8;
    const bits = load<u32>(info);
    if (!(bits & PINNED)) {
      store<u32>(info, bits | PINNED);
      pinned++;
    }
  }
  return ptr;
}

// @ts-ignore: decorator
@global @unsafe
export function __unpin(ptr: usize): void {
  if (!ptr) return;
  const info = ptr - TOTAL_OVERHEAD + 8;
  const bits = load<u32>(info);
  if (bits & PINNED) {
    store<u32>(info, bits & ~PINNED);
    pinned--;
  }
}

// @ts-ignore: decorator
@global @unsafe
export function __visit(ptr: usize, cookie: i32): void {
  if (!ptr) return;
  const block = ptr - TOTAL_OVERHEAD;
  const bits = load<u32>(block, 8);
  if ((bits & COLOUR) == black) return;
  store<u32>(block, (bits & ~COLOUR) | black, 8);
  store<usize>(block, grey, 4);
  grey = ptr;
}

/** Scans grey objects until none is left. */
function drainGrey(): void {
  while (grey) {
    const ptr = grey;
    grey = load<usize>(ptr - TOTAL_OVERHEAD, 4);
    __visit_members(ptr, 0);
  }
}

/** Asks for a collection, which the SDK runs on entry to its next callback that no other
 * callback is below (assembly/dispatch/collector.ts). Collecting here and now would free what the
 * caller's locals still point to: this runtime has no shadow stack to find them. */
// @ts-ignore: decorator
@global @unsafe
export function __collect(): void {
  requestCollection();
}

/** Collects now. Only the SDK calls this, at points where no object lives only in a local. */
// @ts-ignore: decorator
@global @unsafe
export function __proxy_rt_collect(): void {
  __visit_globals(0);
  if (pinned) {
    for (let block = heapStart; block < heapTop; ) {
      const info = load<usize>(block);
      if ((info & (FREE | MANAGED)) == MANAGED && load<u32>(block, 8) & PINNED) {
        __visit(block + TOTAL_OVERHEAD, 0);
      }
      block += info & ~FLAGS;
    }
  }
  drainGrey();

  sweep(black);
  black ^= COLOUR;
  resetAllocated();
}

/**
 * For tests (compiled only into modules that call it): 0 when the heap is consistent, else the
 * first problem found — 1: the blocks do not tile the heap; 2: a free list holds a block that is
 * not free or not of that list's class; 3: a class past the free-list table was used; 4: the
 * count of pinned objects differs from the pinned blocks in the heap.
 */
// @ts-ignore: decorator
@global @unsafe
export function __proxy_rt_check(): u32 {
  const problem = checkBlocks();
  if (problem) return problem;
  let count: u32 = 0;
  for (let block = heapStart; block < heapTop; ) {
    const info = load<usize>(block);
    if ((info & (FREE | MANAGED)) == MANAGED && load<u32>(block, 8) & PINNED) count++;
    block += info & ~FLAGS;
  }
  return count == pinned ? 0 : 4;
}

/** For tests: the number of heap sweeps so far (collections and the allocator's own). */
// @ts-ignore: decorator
@global @unsafe
export function __proxy_rt_sweeps(): u32 {
  return sweepCount();
}
