import {
  proxy_grpc_call,
  proxy_grpc_cancel,
  proxy_grpc_close,
  proxy_grpc_send,
  proxy_grpc_stream,
} from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { BaseContext } from "../contexts/base_context";
import { Headers, serializeHeaders } from "./pairs";
import { RETURN_U32 } from "../dispatch/memory";
import { acceptToken } from "./http_call";
import { findCall } from "../dispatch/callouts";
import { encodeString } from "../dispatch/utf8_codec";
import { Result } from "./result";

/** The UTF-8 encoded target of a gRPC call or stream, as both hostcalls take it. */
class GrpcTarget {
  cluster: ArrayBuffer;
  service: ArrayBuffer;
  method: ArrayBuffer;
  metadata: ArrayBuffer;

  constructor(cluster: string, service: string, method: string, initial_metadata: Headers) {
    this.cluster = encodeString(cluster);
    this.service = encodeString(service);
    this.method = encodeString(method);
    this.metadata = serializeHeaders(initial_metadata);
  }
}

/**
 * Starts a unary gRPC call to `service`/`method` on `cluster`. The reply arrives as
 * `origin.onGrpcReceive` (success) or `origin.onGrpcClose` (failure). Returns the call's
 * token, or (not `ok`) why the host refused.
 */
export function grpcCall(
  origin: BaseContext,
  cluster: string,
  service: string,
  method: string,
  initial_metadata: Headers,
  message: ArrayBuffer,
  timeout_milliseconds: u32,
): Result<u32> {
  const t = new GrpcTarget(cluster, service, method, initial_metadata);
  const result = <WasmResult>(
    proxy_grpc_call(
      changetype<usize>(t.cluster),
      t.cluster.byteLength,
      changetype<usize>(t.service),
      t.service.byteLength,
      changetype<usize>(t.method),
      t.method.byteLength,
      changetype<usize>(t.metadata),
      t.metadata.byteLength,
      changetype<usize>(message),
      message.byteLength,
      timeout_milliseconds,
      RETURN_U32,
    )
  );
  return acceptToken(result, origin, null, false);
}

/**
 * Opens a gRPC stream; send on it with `grpcSend`. Its metadata, messages and close arrive at
 * `origin`'s gRPC callbacks. Returns the stream's token, or (not `ok`) why the host refused.
 */
export function grpcStream(
  origin: BaseContext,
  cluster: string,
  service: string,
  method: string,
  initial_metadata: Headers,
): Result<u32> {
  const t = new GrpcTarget(cluster, service, method, initial_metadata);
  const result = <WasmResult>(
    proxy_grpc_stream(
      changetype<usize>(t.cluster),
      t.cluster.byteLength,
      changetype<usize>(t.service),
      t.service.byteLength,
      changetype<usize>(t.method),
      t.method.byteLength,
      changetype<usize>(t.metadata),
      t.metadata.byteLength,
      RETURN_U32,
    )
  );
  return acceptToken(result, origin, null, true);
}

/**
 * Sends `message` on the gRPC stream `token`; `endStream` half-closes it. Returns Ok or why not.
 */
export function grpcSend(token: u32, message: ArrayBuffer, endStream: bool = false): WasmResult {
  return <WasmResult>(
    proxy_grpc_send(token, changetype<usize>(message), message.byteLength, endStream ? 1 : 0)
  );
}

/**
 * Cancels the gRPC call or stream `token`; no further callbacks arrive for it. Returns Ok or why
 * not.
 */
export function grpcCancel(token: u32): WasmResult {
  const result = <WasmResult>proxy_grpc_cancel(token);
  findCall(token, true);
  return result;
}

/**
 * Closes the gRPC call or stream `token` from this side. A unary call is then over (Envoy
 * cancels it, no callback follows); a stream is half-closed and its callbacks go on until the
 * remote side closes it. Returns Ok or why not.
 */
export function grpcClose(token: u32): WasmResult {
  const result = <WasmResult>proxy_grpc_close(token);
  if ((token & 3) == 1) findCall(token, true); // 1 mod 4: a unary call's token
  return result;
}
