// The memory manager of the proxy-wasm-as runtime: size-class free lists over a bump region.
//
// Why not AssemblyScript's TLSF: a filter allocates a few small objects per request and
// the occasional large body, then drops them all at the stream's end. Exact-fit free lists
// serve that pattern with a fraction of TLSF's code (binary size is a target of this SDK),
// and `sweep` (run by the collector in gc.ts, and before memory would grow) joins neighbouring
// free blocks, so fragmentation does not build up.
//
// Block layout, the one AssemblyScript's standard library expects (~lib/rt/common):
//   [mmInfo: u32][payload …]   mmInfo = block size in bytes (a multiple of 16) | flags
// Blocks start 4 bytes before a 16-byte boundary, so every payload and every object's data
// (20 bytes in) is 16-byte aligned. A free block keeps its free-list link in its first payload
// word.
import { BLOCK_OVERHEAD, BLOCK_MAXSIZE, TOTAL_OVERHEAD } from "~lib/rt/common";

/** mmInfo flag: the block is on a free list. */
// @ts-ignore: decorator
@inline export const FREE: usize = 1;
/** mmInfo flag: the block holds a garbage-collected object. */
// @ts-ignore: decorator
@inline export const MANAGED: usize = 2;
/** mmInfo bits that are flags, not size. */
// @ts-ignore: decorator
@inline export const FLAGS: usize = 15;

/** Number of size classes: sizes up to 1 GiB (2^26 units of 16 bytes). */
// @ts-ignore: decorator
@inline const CLASSES: usize = 101;
/** The size of the last class, in units: no block ever needs more (BLOCK_MAXSIZE), and a
 * longer free run goes onto the lists in pieces of this size. */
// @ts-ignore: decorator
@inline const MAX_CLASS_UNITS: usize = 1 << 26;

/** Heads of the free lists, one per size class; zero-initialised static memory. */
// @ts-ignore: decorator
@lazy const lists: usize = memory.data(<i32>(CLASSES << alignof<usize>()));

/** First block of the heap. */
// @ts-ignore: decorator
@lazy export const heapStart: usize = ((__heap_base + BLOCK_OVERHEAD + 15) & ~15) - BLOCK_OVERHEAD;
/** End of the blocks handed out so far; everything above is the bump region. */
// @ts-ignore: decorator
@lazy export let heapTop: usize = heapStart;

/** Bytes of blocks handed out since the last collection: the SDK's cue to collect. */
// @ts-ignore: decorator
@lazy let allocated: usize = 0;

/** Sweeps so far, counted only in modules that call __proxy_rt_sweeps (tests). */
// @ts-ignore: decorator
@lazy let sweeps: u32 = 0;

export function sweepCount(): u32 {
  return sweeps;
}

/** Bytes freed one by one (onto the free lists) since the last sweep. A sweep walks the whole
 * heap, so the allocator sweeps only once these add up to a share of it (see takeFree). */
// @ts-ignore: decorator
@lazy let unswept: usize = 0;

export function allocatedBytes(): usize {
  return allocated;
}

export function resetAllocated(): void {
  allocated = 0;
}

/** Makes the count read as more than any collection threshold, until the next collection. */
export function requestCollection(): void {
  allocated |= 0x80000000;
}

// Size classes, in units of 16 bytes: 1…8 exactly, then four classes per power of two
// (10, 12, 14, 16, 20, 24, 28, 32, …), so rounding up wastes at most a quarter.

/** The class of a block of exactly `units` units (`units` must be a class size, at most
 * MAX_CLASS_UNITS). */
export function classOf(units: usize): usize {
  if (units <= 8) return units;
  const b = <usize>(31 - clz<u32>(<u32>units - 1));
  return ((b - 1) << 2) + (((units - 1) >> (b - 2)) & 3) + 1;
}

/** The smallest class size, in units, that holds `units` units. */
export function roundUp(units: usize): usize {
  if (units <= 8) return units;
  const b = <usize>(31 - clz<u32>(<u32>units - 1));
  return (5 + (((units - 1) >> (b - 2)) & 3)) << (b - 2);
}

/** The largest class size, in units, that fits in `units` units (`units` >= 1). */
export function roundDown(units: usize): usize {
  if (units <= 8) return units;
  const b = <usize>(31 - clz<u32>(<u32>units));
  return (4 + ((units >> (b - 2)) & 3)) << (b - 2);
}

/** The highest class that may have free blocks. */
// @ts-ignore: decorator
@lazy let largest: usize = 0;

/** Puts a block of `size` bytes (a class size) on its free list. */
function pushFree(block: usize, size: usize): void {
  const cls = classOf(size >> 4);
  if (cls > largest) largest = cls;
  const head = lists + (cls << alignof<usize>());
  store<usize>(block, size | FREE);
  store<usize>(block, load<usize>(head), BLOCK_OVERHEAD);
  store<usize>(head, block);
}

/** Empties every free list (`sweep` rebuilds them). */
function clearFreeLists(): void {
  memory.fill(lists, 0, CLASSES << alignof<usize>());
  largest = 0;
}

/** Frees `bytes` bytes (a multiple of 16) starting at `block`: back to the bump region when
 * they end the heap, else as the fewest class-sized blocks. */
export function releaseRun(block: usize, bytes: usize): void {
  if (block + bytes == heapTop) {
    heapTop = block;
    return;
  }
  while (bytes) {
    // A run longer than the last class (1 GiB) goes back as several blocks.
    const size = roundDown(min(bytes >> 4, MAX_CLASS_UNITS)) << 4;
    pushFree(block, size);
    block += size;
    bytes -= size;
  }
}

/**
 * Walks the heap and rebuilds the free lists: every free block, and every managed object whose
 * mark colour is not `black` (0: none, only free blocks), joins its free neighbours, and each
 * run goes back whole (see releaseRun). The collector calls it to sweep; the allocator calls it
 * with 0 before it grows memory, since blocks freed one by one may add up to what it needs.
 */
export function sweep(black: u32): void {
  clearFreeLists();
  unswept = 0;
  if (isDefined(__proxy_rt_count_sweeps)) sweeps++;
  const end = heapTop;
  let run: usize = 0;
  let runStart: usize = 0;
  for (let block = heapStart; block < end; ) {
    const info = load<usize>(block);
    const bytes = info & ~FLAGS;
    // The mark colour sits in the low bits of gcInfo2 (gc.ts).
    const garbage =
      black != 0 && (info & (FREE | MANAGED)) == MANAGED && (load<u32>(block, 8) & 3) != black;
    if (isDefined(__finalize)) {
      if (garbage) __finalize(block + TOTAL_OVERHEAD);
    }
    if (garbage || (info & FREE) != 0) {
      if (!run) runStart = block;
      run += bytes;
    } else if (run) {
      releaseRun(runStart, run);
      run = 0;
    }
    block += bytes;
  }
  if (run) releaseRun(runStart, run);
}

/** Logs through the SDK when it is in the module (it stores the text once, as UTF-8), then
 * traps: there is nothing left to run on. */
export function outOfMemory(): void {
  if (isDefined(__proxy_out_of_memory)) __proxy_out_of_memory();
  unreachable();
}

/** Takes the front of the first free block of class `cls` or above (its rest goes back); if
 * there is none, joins the blocks freed since the last sweep and looks once more, but only when
 * those add up to an eighth of the heap: a sweep walks every block, and sweeping on every miss
 * made building N live objects cost O(N²). 0 when nothing fits. */
function takeFree(cls: usize, bytes: usize): usize {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = cls; c <= largest; c++) {
      const head = lists + (c << alignof<usize>());
      const block = load<usize>(head);
      if (block) {
        store<usize>(head, load<usize>(block, BLOCK_OVERHEAD));
        const size = load<usize>(block) & ~FLAGS;
        if (size > bytes) releaseRun(block + bytes, size - bytes);
        return block;
      }
    }
    if (pass || unswept < (heapTop - heapStart) >> 3) break;
    sweep(0);
  }
  return 0;
}

/** The block size, in bytes, that takeBlock gives a payload of `size` bytes. */
// @ts-ignore: decorator
@inline export function blockBytes(size: usize): usize {
  return roundUp((size + BLOCK_OVERHEAD + 15) >> 4) << 4;
}

/** Adds at least `bytes` bytes to memory: half as much again as it has, or more if needed, so
 * that a growing heap reaches its size in a few steps. */
function grow(bytes: u64): void {
  const pages = <i32>((bytes + 0xffff) >> 16);
  const more = max(pages, memory.size() >> 1);
  if (memory.grow(more) < 0 && memory.grow(pages) < 0) outOfMemory();
}

/** Takes a block for a payload of `size` bytes; returns the block's address. */
export function takeBlock(size: usize): usize {
  if (size > BLOCK_MAXSIZE) outOfMemory();
  const bytes = blockBytes(size);
  allocated += bytes;
  const cls = classOf(bytes >> 4);
  const head = lists + (cls << alignof<usize>());
  let block = load<usize>(head);
  if (block) {
    store<usize>(head, load<usize>(block, BLOCK_OVERHEAD)); // an exact fit
  } else {
    // The bump region while memory has room (fastest), then a free block, and only then more
    // memory.
    // In 64 bits: near 4 GiB the end of the block would wrap around to a low address.
    block = heapTop;
    let top = <u64>block + bytes;
    const end = <u64>memory.size() << 16;
    if (top > end) {
      const free = takeFree(cls, bytes);
      if (free) {
        store<usize>(free, bytes);
        return free;
      }
      block = heapTop; // the sweep may have given the end of the heap back
      top = <u64>block + bytes;
      if (top > end) grow(top - end);
    }
    heapTop = <usize>top;
  }
  store<usize>(block, bytes);
  return block;
}

/** Gives back `bytes` bytes at `block` that are no longer used (a block or a block's tail). */
export function giveBack(block: usize, bytes: usize): void {
  if (block + bytes != heapTop) unswept += bytes;
  releaseRun(block, bytes);
}

/** Returns one block: to the bump region when it ends the heap, else to its free list. */
export function freeBlock(block: usize): void {
  giveBack(block, load<usize>(block) & ~FLAGS);
}

// The allocator interface AssemblyScript's standard library calls (heap.alloc and friends).
// These blocks are not garbage-collected: whoever allocates one frees it.

// @ts-ignore: decorator
@global @unsafe
export function __alloc(size: usize): usize {
  return takeBlock(size) + BLOCK_OVERHEAD;
}

// @ts-ignore: decorator
@global @unsafe
export function __realloc(ptr: usize, size: usize): usize {
  if (size > BLOCK_MAXSIZE) outOfMemory();
  const block = ptr - BLOCK_OVERHEAD;
  const bytes = load<usize>(block) & ~FLAGS;
  const want = blockBytes(size);
  if (want <= bytes) {
    if (want < bytes) {
      store<usize>(block, want);
      giveBack(block + want, bytes - want);
    }
    return ptr;
  }
  const moved = __alloc(size);
  memory.copy(moved, ptr, bytes - BLOCK_OVERHEAD);
  freeBlock(block);
  return moved;
}

// @ts-ignore: decorator
@global @unsafe
export function __free(ptr: usize): void {
  if (ptr >= heapStart + BLOCK_OVERHEAD) freeBlock(ptr - BLOCK_OVERHEAD);
}

/** For tests (see __proxy_rt_check in gc.ts): 0 when the blocks tile the heap and every free list
 * holds free blocks of its own class, else 1, 2 or 3. */
export function checkBlocks(): u32 {
  if (largest >= CLASSES) return 3;
  let block = heapStart;
  while (block < heapTop) {
    const bytes = load<usize>(block) & ~FLAGS;
    if (bytes == 0 || (bytes & 15) != 0 || bytes > heapTop - block) return 1;
    block += bytes;
  }
  if (block != heapTop) return 1;
  for (let c: usize = 1; c < CLASSES; c++) {
    let steps = (heapTop - heapStart) >> 4;
    let b = load<usize>(lists + (c << alignof<usize>()));
    while (b) {
      if (b < heapStart || b >= heapTop || !steps--) return 2;
      const info = load<usize>(b);
      if ((info & FREE) == 0 || classOf((info & ~FLAGS) >> 4) != c) return 2;
      b = load<usize>(b, BLOCK_OVERHEAD);
    }
  }
  return 0;
}
