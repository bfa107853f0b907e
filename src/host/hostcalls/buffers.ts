// Buffer hostcalls (cpp-host `src/exports.cc` get_buffer_bytes / set_buffer_bytes, Envoy
// `context.cc` Buffer::copyTo / copyFrom).
import { WasmResult } from "../enums.js";
import { contextOf, type Hostcall } from "./types.js";

export const bufferHostcalls: Record<string, Hostcall> = {
  proxy_get_buffer_bytes(
    vm,
    type: number,
    start: number,
    max: number,
    ptrPtr: number,
    lenPtr: number,
  ) {
    const a = contextOf(vm)?.getBuffer(type >>> 0);
    if (a === undefined) return WasmResult.BadArgument;
    if (a === null) return WasmResult.NotFound;
    const b = a.get();
    const s = start >>> 0;
    const n = max >>> 0;
    // Clamped; an empty or out-of-range read is Ok with (0, 0).
    const out = s >= b.length ? Buffer.alloc(0) : b.subarray(s, Math.min(b.length, s + n));
    vm.memory.writeBlob(out, ptrPtr, lenPtr);
    return WasmResult.Ok;
  },

  proxy_get_buffer_status(vm, type: number, lenPtr: number, flagsPtr: number) {
    const a = contextOf(vm)?.getBuffer(type >>> 0);
    if (a === undefined) return WasmResult.BadArgument;
    if (a === null) return WasmResult.NotFound;
    vm.memory.setU32(lenPtr, a.get().length);
    vm.memory.setU32(flagsPtr, 0);
    return WasmResult.Ok;
  },

  proxy_set_buffer_bytes(vm, type: number, start: number, size: number, ptr: number, len: number) {
    const a = contextOf(vm)?.getBuffer(type >>> 0);
    if (a === undefined) return WasmResult.BadArgument;
    if (a === null) return WasmResult.NotFound;
    const data = vm.memory.read(ptr, len);
    if (!a.set) return WasmResult.BadArgument;
    const b = a.get();
    const s = start >>> 0;
    if (s === 0) {
      // Drain `size` bytes, then prepend: (0, len) replaces everything. `data` is already a
      // fresh copy, so a full replacement needs no second one.
      const drain = size >>> 0;
      a.set(drain >= b.length ? data : Buffer.concat([data, b.subarray(drain)]));
    } else if (s >= b.length) a.set(Buffer.concat([b, data]));
    else return WasmResult.BadArgument;
    return WasmResult.Ok;
  },

  // ABI 0.1.0
  proxy_get_configuration(vm, ptrPtr: number, lenPtr: number) {
    const ctx = contextOf(vm);
    if (!ctx) return WasmResult.NotFound;
    vm.memory.writeBlob(ctx.root.pluginConfig, ptrPtr, lenPtr);
    return WasmResult.Ok;
  },
};
