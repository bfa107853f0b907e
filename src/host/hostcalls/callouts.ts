// proxy_http_call, gRPC calls and streams, proxy_get_status (Envoy `context.cc` httpCall,
// grpcCall, grpcStream, grpcSend, grpcCancel, grpcClose; cpp-host `src/exports.cc`).
import { WasmResult } from "../enums.js";
import { decodePairs } from "../pairs.js";
import { contextOf, type Hostcall } from "./types.js";

export const calloutHostcalls: Record<string, Hostcall> = {
  proxy_http_call(
    vm,
    uPtr: number,
    uLen: number,
    hPtr: number,
    hLen: number,
    bPtr: number,
    bLen: number,
    tPtr: number,
    tLen: number,
    timeout: number,
    tokenPtr: number,
  ) {
    const cluster = vm.memory.readString(uPtr, uLen);
    const headers = decodePairs(vm.memory.read(hPtr, hLen));
    const body = vm.memory.read(bPtr, bLen);
    const trailers = decodePairs(vm.memory.read(tPtr, tLen));
    const ctx = contextOf(vm);
    if (!ctx) return WasmResult.NotFound;
    const r = vm.host.calloutStore.httpCall(
      ctx.root,
      cluster,
      headers,
      body,
      trailers,
      timeout >>> 0,
    );
    if (r.result === WasmResult.Ok) vm.memory.setU32(tokenPtr, r.token!);
    return r.result;
  },

  proxy_grpc_call(
    vm,
    uPtr: number,
    uLen: number,
    sPtr: number,
    sLen: number,
    mPtr: number,
    mLen: number,
    mdPtr: number,
    mdLen: number,
    msgPtr: number,
    msgLen: number,
    timeout: number,
    tokenPtr: number,
  ) {
    const cluster = vm.memory.readString(uPtr, uLen);
    const service = vm.memory.readString(sPtr, sLen);
    const method = vm.memory.readString(mPtr, mLen);
    const metadata = decodePairs(vm.memory.read(mdPtr, mdLen));
    const message = vm.memory.read(msgPtr, msgLen);
    const ctx = contextOf(vm);
    if (!ctx) return WasmResult.NotFound;
    const r = vm.host.grpcStore.open(
      ctx.root,
      "call",
      cluster,
      service,
      method,
      metadata,
      message,
      timeout >>> 0,
    );
    if (r.result === WasmResult.Ok) vm.memory.setU32(tokenPtr, r.token!);
    return r.result;
  },

  proxy_grpc_stream(
    vm,
    uPtr: number,
    uLen: number,
    sPtr: number,
    sLen: number,
    mPtr: number,
    mLen: number,
    mdPtr: number,
    mdLen: number,
    tokenPtr: number,
  ) {
    const cluster = vm.memory.readString(uPtr, uLen);
    const service = vm.memory.readString(sPtr, sLen);
    const method = vm.memory.readString(mPtr, mLen);
    const metadata = decodePairs(vm.memory.read(mdPtr, mdLen));
    const ctx = contextOf(vm);
    if (!ctx) return WasmResult.NotFound;
    const r = vm.host.grpcStore.open(
      ctx.root,
      "stream",
      cluster,
      service,
      method,
      metadata,
      null,
      0,
    );
    if (r.result === WasmResult.Ok) vm.memory.setU32(tokenPtr, r.token!);
    return r.result;
  },

  proxy_grpc_send(vm, token: number, ptr: number, len: number, endStream: number) {
    const msg = vm.memory.read(ptr, len);
    return vm.host.grpcStore.send(vm, token >>> 0, msg, endStream !== 0);
  },

  proxy_grpc_cancel(vm, token: number) {
    return vm.host.grpcStore.cancel(vm, token >>> 0, "cancel");
  },

  proxy_grpc_close(vm, token: number) {
    return vm.host.grpcStore.cancel(vm, token >>> 0, "close");
  },

  proxy_get_status(vm, codePtr: number, ptrPtr: number, lenPtr: number) {
    const ctx = contextOf(vm);
    const status = ctx?.root.status ?? { code: 0, message: "" };
    vm.memory.setU32(codePtr, status.code);
    vm.memory.writeBlob(Buffer.from(status.message, "utf8"), ptrPtr, lenPtr);
    return WasmResult.Ok;
  },
};
