// Metric hostcalls (Envoy `context.cc` defineMetric / incrementMetric / recordMetric / getMetric).
import { WasmResult } from "../enums.js";
import type { Hostcall } from "./types.js";

export const metricHostcalls: Record<string, Hostcall> = {
  proxy_define_metric(vm, type: number, nPtr: number, nLen: number, idPtr: number) {
    const name = vm.memory.readString(nPtr, nLen);
    const r = vm.metrics.define(type >>> 0, name);
    if (r.result === WasmResult.Ok) vm.memory.setU32(idPtr, r.id!);
    return r.result;
  },
  proxy_increment_metric(vm, id: number, delta: bigint) {
    return vm.metrics.increment(id >>> 0, delta);
  },
  proxy_record_metric(vm, id: number, value: bigint) {
    return vm.metrics.record(id >>> 0, value);
  },
  proxy_get_metric(vm, id: number, retPtr: number) {
    const r = vm.metrics.get(id >>> 0);
    if (r.result === WasmResult.Ok) vm.memory.setU64(retPtr, r.value!);
    return r.result;
  },
};
