// The proxy-wasm-as AssemblyScript runtime, named by asconfig.base.json's "runtime": size-class
// blocks (blocks.ts) and a mark & sweep collector that the SDK runs between callbacks (gc.ts).
// Why it replaced AssemblyScript's "minimal" runtime: bench/RESULTS.md.
import { allocatedBytes } from "./blocks";
import "./gc";

// Not exported: this file is compiled as an entry, and its exports would become the module's.
/** Bytes handed out since the last collection (2 GiB more once `__collect()` asked for one).
 * Its presence also tells the SDK that this runtime, which never collects on its own, is the
 * one in the module. */
// @ts-ignore: decorator
@global
function __proxy_rt_allocated(): usize {
  return allocatedBytes();
}
