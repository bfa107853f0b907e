// Stream control: local replies, continue / close (Envoy `context.cc` sendLocalResponse,
// continueStream, closeStream; all deferred until the VM call returns).
import { StreamType, WasmResult } from "../enums.js";
import { decodePairs } from "../pairs.js";
import { contextOf, type Hostcall } from "./types.js";

export const streamHostcalls: Record<string, Hostcall> = {
  proxy_send_local_response(
    vm,
    status: number,
    dPtr: number,
    dLen: number,
    bPtr: number,
    bLen: number,
    hPtr: number,
    hLen: number,
    grpc: number,
  ) {
    const details = vm.memory.readString(dPtr, dLen);
    const body = vm.memory.read(bPtr, bLen);
    const headers = decodePairs(vm.memory.read(hPtr, hLen)).map(
      ([k, v]) => [k.toLowerCase(), v] as [string, string],
    );
    const ctx = contextOf(vm);
    if (!ctx) return WasmResult.Ok;
    return ctx.sendLocalResponse({
      status: status >>> 0,
      body,
      headers,
      details: details.replace(/\s/g, "_"),
      grpcStatus: grpc >= 0 && grpc <= 16 ? grpc : null,
    });
  },

  proxy_continue_stream(vm, type: number) {
    return contextOf(vm)?.continueStream(type >>> 0) ?? WasmResult.NotFound;
  },

  proxy_close_stream(vm, type: number) {
    return contextOf(vm)?.closeStream(type >>> 0) ?? WasmResult.NotFound;
  },

  // ABI 0.1.0
  proxy_continue_request(vm) {
    return contextOf(vm)?.continueStream(StreamType.HttpRequest) ?? WasmResult.NotFound;
  },
  proxy_continue_response(vm) {
    return contextOf(vm)?.continueStream(StreamType.HttpResponse) ?? WasmResult.NotFound;
  },
  proxy_clear_route_cache() {
    return WasmResult.Ok;
  },
};
