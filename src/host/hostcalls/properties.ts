// proxy_get_property / proxy_set_property (Envoy `context.cc` getProperty / setProperty / findValue).
import { WasmResult } from "../enums.js";
import type { Context } from "../context.js";
import { encodeProperty, wirePathSegments, type PropertyValue } from "../properties.js";
import type { Vm } from "../vm.js";
import { contextOf, type Hostcall } from "./types.js";

/**
 * Lookup order: properties the test set on this stream, what the stream / plugin knows
 * (request.*, response.*, plugin_*), properties set on the host, then filter state `wasm.<name>`.
 */
export function resolveProperty(
  vm: Vm,
  ctx: Context | null,
  segs: string[],
): PropertyValue | undefined {
  const local = ctx?.localProperty(segs);
  if (local !== undefined) return local;
  const derived = ctx?.derivedProperty(segs) ?? ctx?.root.derivedProperty(segs);
  if (derived !== undefined) return derived;
  const hostValue = vm.host.properties.lookup(segs);
  if (hostValue !== undefined) return hostValue;
  if (segs.length === 1) return ctx?.filterStateValue(`wasm.${segs[0]}`);
  return undefined;
}

export const propertyHostcalls: Record<string, Hostcall> = {
  proxy_get_property(vm, pathPtr: number, pathLen: number, ptrPtr: number, lenPtr: number) {
    const segs = wirePathSegments(vm.memory.read(pathPtr, pathLen));
    const v = resolveProperty(vm, contextOf(vm), segs);
    if (v === undefined) return WasmResult.NotFound;
    vm.memory.writeBlob(encodeProperty(v), ptrPtr, lenPtr);
    return WasmResult.Ok;
  },

  proxy_set_property(vm, pathPtr: number, pathLen: number, vPtr: number, vLen: number) {
    const path = vm.memory.read(pathPtr, pathLen).toString("utf8");
    const value = vm.memory.read(vPtr, vLen);
    const ctx = contextOf(vm);
    if (!ctx) return WasmResult.NotFound;
    // Envoy: filter state key "wasm." + path; NotFound where there is no stream (root context).
    return ctx.setFilterState(`wasm.${path}`, value);
  },
};
