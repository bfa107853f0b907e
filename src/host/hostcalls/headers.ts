// Header map hostcalls (cpp-host `src/exports.cc`, Envoy `context.cc` getHeaderMapValue & co).
import { WasmResult } from "../enums.js";
import { bytesToString, decodePairs, encodePairs, holdsRawBytes, stringToBytes } from "../pairs.js";
import { contextOf, type Hostcall } from "./types.js";
import type { Vm } from "../vm.js";

/** Map `type` of the current context, created if it may be; null when unavailable or read-only. */
function writableMap(vm: Vm, type: number) {
  const a = contextOf(vm)?.getMap(type >>> 0);
  if (!a || a.readOnly) return null;
  return a.map ?? a.create?.() ?? null;
}

// Header names and values pass byte for byte, as in Envoy: bytes that are not UTF-8 keep their
// lone-surrogate form (pairs.ts) instead of becoming U+FFFD. Both checks are cheap for the
// common case (plain UTF-8), so the hot path stays the cached readString/writeStringBlob.

/** A header name or value from the module's memory, exact even when it is not UTF-8. */
function readHeaderText(vm: Vm, ptr: number, len: number): string {
  const s = vm.memory.readString(ptr, len);
  return s.includes("\uFFFD") ? bytesToString(vm.memory.read(ptr, len)) : s;
}

/** A header value handed to the module as the bytes it stands for. */
function writeHeaderText(vm: Vm, s: string, ptrPtr: number, lenPtr: number): void {
  if (holdsRawBytes(s)) vm.memory.writeBlob(stringToBytes(s), ptrPtr, lenPtr);
  else vm.memory.writeStringBlob(s, ptrPtr, lenPtr);
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
    const key = readHeaderText(vm, kPtr, kLen);
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
    writeHeaderText(vm, v, ptrPtr, lenPtr);
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
    const key = readHeaderText(vm, kPtr, kLen);
    const value = readHeaderText(vm, vPtr, vLen);
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
    const key = readHeaderText(vm, kPtr, kLen);
    const value = readHeaderText(vm, vPtr, vLen);
    const map = writableMap(vm, type);
    if (!map) return WasmResult.BadArgument;
    map.set(key, value);
    return WasmResult.Ok;
  },

  proxy_remove_header_map_value(vm, type: number, kPtr: number, kLen: number) {
    const key = readHeaderText(vm, kPtr, kLen);
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
