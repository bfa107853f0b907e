// Test filter for the SDK's runtime (assembly/rt): allocation and collection under churn.
// `x-op: churn` makes a few hundred objects of mixed sizes per request (seeded by `x-seed`),
// keeps some of them alive across requests in the root context, and checks that every kept
// object still holds what was written into it. `x-op: big` fills and checks one buffer of
// `x-size` bytes. Results are logged as `key=value`.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatusValues,
  RootContext,
  logInfo,
  registerRootContext,
  stream_context,
} from "proxy-wasm-as";

const SLOTS = 64;

class RuntimeRoot extends RootContext {
  kept: Array<string | null> = new Array<string | null>(SLOTS);
  sums: StaticArray<u32> = new StaticArray<u32>(SLOTS);
  createContext(context_id: u32): Context {
    return new RuntimeFilter(context_id, this);
  }
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
  onRequestHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatusValues {
    const op = stream_context.headers.request.get("x-op");
    const root = changetype<RuntimeRoot>(this.root_context);
    if (op == "churn") {
      state = (<u32>I32.parseInt(stream_context.headers.request.get("x-seed"))) | 1;
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
      logInfo("corrupt=" + bad.toString());
    } else if (op == "raw") {
      // Unmanaged blocks (heap.alloc / heap.free, as the SDK's scratch space uses them), freed
      // in a shuffled order: each must keep its own bytes until it is freed.
      state = (<u32>I32.parseInt(stream_context.headers.request.get("x-seed"))) | 1;
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
      logInfo("corrupt=" + bad.toString());
    } else if (op == "too-big") {
      // More than any object may hold: the runtime gives up, says so, and traps.
      const huge = changetype<ArrayBuffer>(__new(0x7ff00000, idof<ArrayBuffer>()));
      logInfo("allocated=" + huge.byteLength.toString());
    } else if (op == "big") {
      const size = I32.parseInt(stream_context.headers.request.get("x-size"));
      const buffer = new ArrayBuffer(size);
      const bytes = Uint8Array.wrap(buffer);
      for (let i = 0; i < size; i += 4096) bytes[i] = <u8>(i >> 12);
      let bad = 0;
      for (let i = 0; i < size; i += 4096) if (bytes[i] != <u8>(i >> 12)) bad++;
      logInfo("big=" + size.toString() + " corrupt=" + bad.toString());
    }
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => new RuntimeRoot(context_id), "runtime");
