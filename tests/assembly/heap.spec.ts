// Unit tests of the SDK's runtime (assembly/heap), run under that runtime: as-pect.asconfig.json
// names it as the runtime of every spec. Only the allocator is driven directly here (blocks are
// freed by hand); collections need the SDK's callbacks around them, so tests/sdk/runtime.test.ts
// covers those through the emulator.
import { BLOCK_OVERHEAD, TOTAL_OVERHEAD } from "~lib/rt/common";
import {
  FLAGS,
  checkBlocks,
  classOf,
  freeBlock,
  roundDown,
  roundUp,
  sweep,
} from "../../assembly/heap/blocks";

describe("the runtime in use", () => {
  it("is the SDK's own", () => {
    expect(isDefined(__proxy_rt_allocated)).toBe(true);
  });
});

describe("size classes", () => {
  it("round up and down to class sizes, and number them without gaps", () => {
    let last: usize = 0;
    for (let units: usize = 1; units <= 1 << 20; units = units < 4096 ? units + 1 : units + 977) {
      const up = roundUp(units);
      const down = roundDown(units);
      expect(up >= units && down <= units).toBe(true);
      expect(roundUp(up)).toBe(up);
      expect(roundDown(down)).toBe(down);
      // Rounding up wastes at most a quarter.
      expect((up - units) * 4 <= up).toBe(true);
      const cls = classOf(up);
      expect(cls == last || cls == last + 1).toBe(true);
      last = cls;
    }
  });

  it("give the largest block (1 GiB) the last of the 101 classes", () => {
    expect(classOf(roundUp(((1 << 30) - BLOCK_OVERHEAD + 15 + BLOCK_OVERHEAD) >> 4))).toBe(100);
    expect(roundDown(1 << 26)).toBe(1 << 26);
  });
});

// A random mix of allocations, frees, reallocations and renewals of unmanaged (__alloc) and
// managed (__new) blocks. Every block holds a pattern derived from its seed; it is checked
// whole before it is freed or resized, and every live block at the end. Two blocks that
// overlapped would overwrite each other's pattern.
const SLOTS = 2048;
const OPERATIONS = 1_000_000;

let state: u32 = 0x9e3779b9;
function next(): u32 {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

function pickSize(): usize {
  const r = next() % 10000;
  if (r < 7000) return <usize>(next() % 64);
  if (r < 9900) return <usize>(next() % 2048);
  if (r < 9995) return <usize>(next() % 32768);
  return <usize>(next() % (1 << 19));
}

/** The pattern's word at offset `i` (a multiple of 4): any prefix of a block matches it. */
// @ts-ignore: decorator
@inline function word(seed: u32, i: usize): u32 {
  return seed ^ (<u32>i * 0x9e3779b1);
}

function fill(ptr: usize, size: usize, seed: u32): void {
  let i: usize = 0;
  for (; i + 4 <= size; i += 4) store<u32>(ptr + i, word(seed, i));
  for (; i < size; i++) store<u8>(ptr + i, <u8>(word(seed, i & ~3) >> (<u32>(i & 3) << 3)));
}

/** Words and bytes of the first `size` that differ from the pattern of `seed`. */
function check(ptr: usize, size: usize, seed: u32): u32 {
  let bad: u32 = 0;
  let i: usize = 0;
  for (; i + 4 <= size; i += 4) if (load<u32>(ptr + i) != word(seed, i)) bad++;
  for (; i < size; i++) {
    if (load<u8>(ptr + i) != <u8>(word(seed, i & ~3) >> (<u32>(i & 3) << 3))) bad++;
  }
  return bad;
}

function release(ptr: usize, managed: bool): void {
  if (managed) freeBlock(ptr - TOTAL_OVERHEAD);
  else __free(ptr);
}

describe("the allocator under a random load", () => {
  it("keeps every block's bytes through a million operations", () => {
    const ptrs = new StaticArray<usize>(SLOTS);
    const sizes = new StaticArray<usize>(SLOTS);
    const seeds = new StaticArray<u32>(SLOTS);
    let bad: u32 = 0;
    let heapProblems: u32 = 0;
    for (let op = 0; op < OPERATIONS; op++) {
      const slot = <i32>(next() % SLOTS);
      const managed = (slot & 1) != 0;
      const ptr = ptrs[slot];
      if (ptr == 0) {
        const size = pickSize();
        const seed = next();
        const fresh = managed ? __new(size, idof<ArrayBuffer>()) : __alloc(size);
        fill(fresh, size, seed);
        ptrs[slot] = fresh;
        sizes[slot] = size;
        seeds[slot] = seed;
      } else if (next() % 3 == 0) {
        // Resize: the common prefix must survive, moved or not.
        const size = pickSize();
        const keep = min(size, sizes[slot]);
        bad += check(ptr, sizes[slot], seeds[slot]);
        const moved = managed ? __renew(ptr, size) : __realloc(ptr, size);
        bad += check(moved, keep, seeds[slot]);
        const seed = next();
        fill(moved, size, seed);
        ptrs[slot] = moved;
        sizes[slot] = size;
        seeds[slot] = seed;
      } else {
        bad += check(ptr, sizes[slot], seeds[slot]);
        release(ptr, managed);
        ptrs[slot] = 0;
      }
      if (op % 100_000 == 99_999) {
        sweep(0); // joins free neighbours (as the allocator does once enough was freed)
        heapProblems += checkBlocks();
      }
    }
    for (let slot = 0; slot < SLOTS; slot++) {
      const ptr = ptrs[slot];
      if (ptr == 0) continue;
      bad += check(ptr, sizes[slot], seeds[slot]);
      // Every live block is as large as its contents need.
      const block = ptr - (slot & 1 ? TOTAL_OVERHEAD : BLOCK_OVERHEAD);
      if ((load<usize>(block) & ~FLAGS) < sizes[slot] + (ptr - block)) bad++;
      release(ptr, (slot & 1) != 0);
    }
    expect(bad).toBe(0);
    expect(heapProblems).toBe(0);
    expect(checkBlocks()).toBe(0);
  });
});
