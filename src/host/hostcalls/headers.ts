// Header map hostcalls (cpp-host `src/exports.cc`, Envoy `context.cc` getHeaderMapValue & co).
import { WasmResult } from "../enums.js";
import { decodePairs, encodePairs } from "../pairs.js";
import { contextOf, type Hostcall } from "./types.js";
import type { Vm } from "../vm.js";

/** Map `type` of the current context, created if it may be; null when unavailable or read-only. */
function writableMap(vm: Vm, type: number) {
  const a = contextOf(vm)?.getMap(type >>> 0);
  if (!a || a.readOnly) return null;
  return a.map ?? a.create?.() ?? null;
}

export const headerHostcalls: Record<string, Hostcall> = {
  proxy_get_header_map_pairs(vm, type: number, ptrPtr: number, lenPtr: number) {
    const a = contextOf(vm)?.getMap(type >>> 0);
    if (!a) return WasmResult.BadArgument;
    vm.memory.writeBlob(encodePairs(a.map ? a.map.entries() : []), ptrPtr, lenPtr);
    return WasmResult.Ok;
  },

  proxy_set_header_map_pairs(vm, type: number, ptr: number, len: number) {
    const pairs = decodePairs(vm.memory.read(ptr, len));
    const map = writableMap(vm, type);
    if (!map) return WasmResult.BadArgument;
    // Envoy setHeaderMapPairs: remove every existing key, then add the pairs in order.
    map.clear();
    for (const [k, v] of pairs) map.add(k, v);
    return WasmResult.Ok;
  },

  proxy_get_header_map_value(
    vm,
    type: number,
    kPtr: number,
    kLen: number,
    ptrPtr: number,
    lenPtr: number,
  ) {
    const key = vm.memory.readString(kPtr, kLen);
    const a = contextOf(vm)?.getMap(type >>> 0);
    if (!a) return WasmResult.BadArgument;
    if (!a.map) return a.logPhase ? WasmResult.NotFound : WasmResult.BadArgument;
    const v = a.map.get(key);
    if (v === undefined) {
      // ABI 0.1.0 answered a missing key with Ok and "".
      if (vm.abiVersion !== "0.1.0") return WasmResult.NotFound;
      vm.memory.writeStringBlob("", ptrPtr, lenPtr);
      return WasmResult.Ok;
    }
    vm.memory.writeStringBlob(v, ptrPtr, lenPtr);
    return WasmResult.Ok;
  },

  proxy_add_header_map_value(
    vm,
    type: number,
    kPtr: number,
    kLen: number,
    vPtr: number,
    vLen: number,
  ) {
    const key = vm.memory.readString(kPtr, kLen);
    const value = vm.memory.readString(vPtr, vLen);
    const map = writableMap(vm, type);
    if (!map) return WasmResult.BadArgument;
    map.add(key, value);
    return WasmResult.Ok;
  },

  proxy_replace_header_map_value(
    vm,
    type: number,
    kPtr: number,
    kLen: number,
    vPtr: number,
    vLen: number,
  ) {
    const key = vm.memory.readString(kPtr, kLen);
    const value = vm.memory.readString(vPtr, vLen);
    const map = writableMap(vm, type);
    if (!map) return WasmResult.BadArgument;
    map.set(key, value);
    return WasmResult.Ok;
  },

  proxy_remove_header_map_value(vm, type: number, kPtr: number, kLen: number) {
    const key = vm.memory.readString(kPtr, kLen);
    const a = contextOf(vm)?.getMap(type >>> 0);
    if (!a || !a.map || a.readOnly) return WasmResult.BadArgument;
    a.map.remove(key);
    return WasmResult.Ok;
  },

  proxy_get_header_map_size(vm, type: number, retPtr: number) {
    const a = contextOf(vm)?.getMap(type >>> 0);
    if (!a || !a.map) return WasmResult.BadArgument;
    // ⚠ Envoy returns HeaderMap::byteSize(), not the serialized size.
    vm.memory.setU32(retPtr, a.map.byteSize());
    return WasmResult.Ok;
  },
};
