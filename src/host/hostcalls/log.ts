// proxy_log, proxy_get_log_level (cpp-host `src/exports.cc`).
import { LogLevel, WasmResult } from "../enums.js";
import { contextOf, type Hostcall } from "./types.js";

export const logHostcalls: Record<string, Hostcall> = {
  proxy_log(vm, level: number, ptr: number, len: number) {
    if (level >>> 0 > LogLevel.Critical) return WasmResult.BadArgument;
    const msg = vm.memory.readString(ptr, len);
    vm.host.pluginLog(level, msg, vm, contextOf(vm));
    return WasmResult.Ok;
  },
  proxy_get_log_level(vm, retPtr: number) {
    vm.memory.setU32(retPtr, vm.host.logLevel);
    return WasmResult.Ok;
  },
};
