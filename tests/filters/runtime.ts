// Test filter for the SDK's runtime (assembly/heap): allocation and collection under churn.
// `x-op: churn` makes a few hundred objects of mixed sizes per request (seeded by `x-seed`),
// keeps some of them alive across requests in the root context, and checks that every kept
// object still holds what was written into it. `x-op: big` fills and checks one buffer of
// `x-size` bytes. The other ops each drive one corner of the runtime (see each branch); results
// are logged as `key=value`, `check=` being __proxy_rt_check's verdict on the heap (0: sound).
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  callForeignFunction,
  log,
  registerRootContext,
  requestHeaders,
} from "proxy-wasm-as";

/** A header value, or "" when the header is absent. */
function orEmpty(value: string | null): string {
  return value !== null ? value : "";
}

const SLOTS = 64;

/** Makes the runtime count its sweeps (__proxy_rt_sweeps). */
// @ts-ignore: decorator
@global const __proxy_rt_count_sweeps = true;

class RuntimeRoot extends RootContext {
  kept: Array<string | null> = new Array<string | null>(SLOTS);
  sums: StaticArray<u32> = new StaticArray<u32>(SLOTS);
  refill: Array<string> = [];
  createContext(contextId: u32): Context {
    return new RuntimeFilter(contextId, this);
  }
  onTick(): void {
    // Called back in during a request (see `reenter`): take as much memory as that request
    // dropped, in blocks of the size of its local string, and fill it with other bytes.
    this.refill = [];
    for (let i = 0; i < 300; i++) this.refill.push(makeString(2000, 99));
  }
}

/** Sum of the lengths held by `list`, so nothing is optimised away. */
function lengths(list: Array<string>): i32 {
  let n = 0;
  for (let i = 0; i < list.length; i++) n += list[i].length;
  return n;
}

let state: u32 = 1;
function next(): u32 {
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

/** Mostly small, sometimes a few KiB, rarely 100 KiB: a filter's usual mix. */
function pickLength(): i32 {
  const r = next() % 100;
  if (r < 80) return <i32>(next() % 64);
  if (r < 98) return <i32>(next() % 5000);
  return <i32>(100000 + (next() % 1000));
}

function makeString(length: i32, salt: u32): string {
  const units = new Array<i32>(length);
  for (let i = 0; i < length; i++) units[i] = 0x41 + <i32>((salt + <u32>i * 7) % 58);
  return String.fromCharCodes(units);
}

function checksum(text: string): u32 {
  let sum: u32 = <u32>text.length;
  for (let i = 0; i < text.length; i++) sum = sum * 31 + <u32>text.charCodeAt(i);
  return sum;
}

class RuntimeFilter extends Context {
  onRequestHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const op = orEmpty(requestHeaders.get("x-op"));
    const root = changetype<RuntimeRoot>(this.rootContext);
    if (op == "churn") {
      state = (<u32>I32.parseInt(orEmpty(requestHeaders.get("x-seed")))) | 1;
      for (let i = 0; i < 200; i++) {
        const text = makeString(pickLength(), next());
        const scratch = new Array<u64>(<i32>(next() % 300)); // garbage of another shape
        scratch.push(<u64>text.length);
        if (next() % 4 == 0) {
          const slot = <i32>(next() % SLOTS);
          root.kept[slot] = text;
          root.sums[slot] = checksum(text);
        }
      }
      let bad = 0;
      for (let slot = 0; slot < SLOTS; slot++) {
        const text = root.kept[slot];
        if (text !== null && checksum(text) != root.sums[slot]) bad++;
      }
      log(LogLevel.Info, "corrupt=" + bad.toString());
    } else if (op == "raw") {
      // Unmanaged blocks (heap.alloc / heap.free, as the SDK's scratch space uses them), freed
      // in a shuffled order: each must keep its own bytes until it is freed.
      state = (<u32>I32.parseInt(orEmpty(requestHeaders.get("x-seed")))) | 1;
      const count = 64;
      const blocks = new StaticArray<usize>(count);
      const sizes = new StaticArray<usize>(count);
      for (let i = 0; i < count; i++) {
        const size = <usize>pickLength() + 1;
        const block = heap.alloc(size);
        memory.fill(block, <u8>i, size);
        blocks[i] = block;
        sizes[i] = size;
      }
      let bad = 0;
      for (let n = 0; n < count; n++) {
        let i = <i32>(next() % count);
        while (blocks[i] == 0) i = (i + 1) % count;
        const block = blocks[i];
        for (let b: usize = 0; b < sizes[i]; b++) if (load<u8>(block + b) != <u8>i) bad++;
        heap.free(block);
        blocks[i] = 0;
        // Something else takes freed memory straight away.
        const other = heap.alloc(sizes[i]);
        memory.fill(other, 0xee, sizes[i]);
        heap.free(other);
      }
      log(LogLevel.Info, "corrupt=" + bad.toString());
    } else if (op == "reenter") {
      // A string that only a local holds, 128 KiB and more of garbage (so a collection is due),
      // then a foreign function during which the host calls back into the module.
      const local = makeString(2000, 7);
      const before = checksum(local);
      let garbage = 0;
      for (let i = 0; i < 100; i++) garbage += makeString(2000, <u32>i).length;
      callForeignFunction("reenter", new ArrayBuffer(0));
      log(LogLevel.Info, "local=" + (checksum(local) == before ? "intact" : "corrupt"));
      log(LogLevel.Info, "refill=" + lengths(root.refill).toString() + " garbage=" + garbage.toString());
    } else if (op == "collect-inside") {
      // A filter calling __collect() itself with a string in a local.
      const local = makeString(2000, 7);
      const before = checksum(local);
      __collect();
      const refill: Array<string> = [];
      for (let i = 0; i < 50; i++) refill.push(makeString(2000, 99));
      log(LogLevel.Info, "local=" + (checksum(local) == before ? "intact" : "corrupt"));
      log(LogLevel.Info, "refill=" + lengths(refill).toString());
    } else if (op == "pressure") {
      log(LogLevel.Info, "pressure=" + __proxy_rt_allocated().toString());
    } else if (op == "long-run") {
      // Two blocks of 700 MiB side by side (unmanaged, so their pages are never touched), freed:
      // a sweep joins them into one free run of 1.4 GiB, longer than the largest size class.
      const a = heap.alloc(700 << 20);
      const b = heap.alloc(700 << 20);
      const c = heap.alloc(16);
      heap.free(a);
      heap.free(b);
      __proxy_rt_collect(); // no managed object lives only in a local here
      log(LogLevel.Info, "check=" + __proxy_rt_check().toString());
      const d = heap.alloc(1000 << 20); // served from the joined run
      const reused = d <= a && d + (1000 << 20) < c;
      log(LogLevel.Info, "reused=" + (reused ? "yes" : "no") + " check=" + __proxy_rt_check().toString());
      heap.free(d);
      heap.free(c);
    } else if (op == "past-4gib") {
      // Four blocks of (almost) 1 GiB: the fourth would end past 4 GiB.
      let last: usize = 0;
      for (let i = 0; i < 4; i++) {
        last = heap.alloc((1 << 30) - 64);
        store<u8>(last + (1 << 30) - 65, 1);
      }
      log(LogLevel.Info, "allocated=" + last.toString());
    } else if (op == "renew-huge") {
      const small = __new(16, idof<ArrayBuffer>());
      const grown = __renew(small, 0xfffffff0);
      log(LogLevel.Info, "renewed=" + grown.toString());
    } else if (op == "renew-shrink") {
      // 3 MiB shrunk to 1 MiB (what encodeString does to a 1 MiB body): the block follows.
      const big = __new(3 << 20, idof<ArrayBuffer>());
      const shrunk = __renew(big, 1 << 20);
      const block = load<u32>(shrunk - 20) & ~15;
      const fresh = __new(1 << 20, idof<ArrayBuffer>()); // takes the tail given back
      log(LogLevel.Info, "block=" + block.toString() + " check=" + __proxy_rt_check().toString());
      log(LogLevel.Info, "fresh=" + (fresh > shrunk && fresh < shrunk + (3 << 20) ? "in-tail" : "elsewhere"));
    } else if (op == "renew-pinned") {
      const small = __pin(__new(100, idof<ArrayBuffer>()));
      const moved = __renew(small, 100000);
      const check = __proxy_rt_check();
      log(LogLevel.Info, "moved=" + (moved != small ? "yes" : "no") + " check=" + check.toString());
      __unpin(moved);
      log(LogLevel.Info, "unpinned check=" + __proxy_rt_check().toString());
    } else if (op == "keep") {
      // Builds `x-count` live strings in one callback: the runtime's sweeps while it does.
      const count = I32.parseInt(orEmpty(requestHeaders.get("x-count")));
      const sweeps = __proxy_rt_sweeps();
      const pages = memory.size();
      const kept = new Array<string>(0);
      for (let i = 0; i < count; i++) kept.push("s" + i.toString());
      root.refill = kept;
      log(LogLevel.Info, 
        "sweeps=" +
          (__proxy_rt_sweeps() - sweeps).toString() +
          " grown=" +
          (memory.size() - pages).toString() +
          " check=" +
          __proxy_rt_check().toString(),
      );
      root.refill = [];
    } else if (op == "too-big") {
      // More than any object may hold: the runtime gives up, says so, and traps.
      const huge = changetype<ArrayBuffer>(__new(0x7ff00000, idof<ArrayBuffer>()));
      log(LogLevel.Info, "allocated=" + huge.byteLength.toString());
    } else if (op == "big") {
      const size = I32.parseInt(orEmpty(requestHeaders.get("x-size")));
      const buffer = new ArrayBuffer(size);
      const bytes = Uint8Array.wrap(buffer);
      for (let i = 0; i < size; i += 4096) bytes[i] = <u8>(i >> 12);
      let bad = 0;
      for (let i = 0; i < size; i += 4096) if (bytes[i] != <u8>(i >> 12)) bad++;
      log(LogLevel.Info, "big=" + size.toString() + " corrupt=" + bad.toString());
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new RuntimeRoot(contextId), "runtime");
