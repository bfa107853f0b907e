// The garbage collector of the proxy-wasm-as runtime: a stop-the-world mark & sweep that only
// runs when the SDK asks (`__collect`, at points where no object lives only on the stack:
// see assembly/runtime/collector.ts). Nothing happens behind an allocation's back, so the
// compiler needs no shadow stack.
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
  sweep,
  resetAllocated,
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
  if (size > OBJECT_MAXSIZE) outOfMemory();
  const block = takeBlock(size + OBJECT_OVERHEAD);
  store<usize>(block, load<usize>(block) | MANAGED);
  store<u32>(block, 0, 4); // gcInfo
  store<u32>(block, COLOUR ^ black, 8); // gcInfo2: white
  store<u32>(block, id, 12);
  store<u32>(block, <u32>size, 16);
  const ptr = block + TOTAL_OVERHEAD;
  // With a custom runtime the standard library expects zeroed objects (as from Incremental).
  memory.fill(ptr, 0, size);
  return ptr;
}

// @ts-ignore: decorator
@global @unsafe
export function __renew(oldPtr: usize, size: usize): usize {
  const block = oldPtr - TOTAL_OVERHEAD;
  const oldSize = <usize>load<u32>(block, 16);
  if (oldPtr >= heapStart + TOTAL_OVERHEAD && size + TOTAL_OVERHEAD <= (load<usize>(block) & ~FLAGS)) {
    if (size > oldSize) memory.fill(oldPtr + oldSize, 0, size - oldSize);
    store<u32>(block, <u32>size, 16);
    return oldPtr;
  }
  const newPtr = __new(size, load<u32>(block, 12));
  memory.copy(newPtr, oldPtr, min(size, oldSize));
  if (oldPtr >= heapStart + TOTAL_OVERHEAD) freeBlock(block);
  return newPtr;
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

// @ts-ignore: decorator
@global @unsafe
export function __collect(): void {
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
