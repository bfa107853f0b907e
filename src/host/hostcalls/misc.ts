// Time, ticks, effective context, proxy_done, foreign functions and two Emscripten helpers
// (cpp-host `src/exports.cc`).
import { WasmResult } from "../enums.js";
import { contextOf, type Hostcall } from "./types.js";

export const miscHostcalls: Record<string, Hostcall> = {
  proxy_get_current_time_nanoseconds(vm, retPtr: number) {
    vm.memory.setU64(retPtr, vm.host.clock.nowNanos());
    return WasmResult.Ok;
  },

  proxy_set_tick_period_milliseconds(vm, ms: number) {
    // Applies to the root of the effective context.
    contextOf(vm)?.root.setTickPeriod(ms >>> 0);
    return WasmResult.Ok;
  },

  proxy_set_effective_context(vm, id: number) {
    const cid = id >>> 0;
    if (!vm.contexts.has(cid)) return WasmResult.BadArgument;
    vm.effectiveId = cid;
    return WasmResult.Ok;
  },

  proxy_done(vm) {
    return contextOf(vm)?.root.done() ?? WasmResult.NotFound;
  },

  proxy_call_foreign_function(
    vm,
    nPtr: number,
    nLen: number,
    aPtr: number,
    aLen: number,
    ptrPtr: number,
    lenPtr: number,
  ) {
    const name = vm.memory.readString(nPtr, nLen);
    const args = vm.memory.read(aPtr, aLen);
    const fn = vm.host.foreignFunctions.get(name);
    if (!fn) return WasmResult.NotFound;
    const r = fn(args, { vm, context: contextOf(vm) });
    if (typeof r === "number") return r;
    vm.memory.writeBlob(
      r === undefined ? Buffer.alloc(0) : typeof r === "string" ? Buffer.from(r) : r,
      ptrPtr,
      lenPtr,
    );
    return WasmResult.Ok;
  },

  emscripten_notify_memory_growth() {
    // Nothing to do: every memory access re-reads memory.buffer.
  },

  pthread_equal(_vm, a: number, b: number) {
    return a === b ? 1 : 0;
  },
};
