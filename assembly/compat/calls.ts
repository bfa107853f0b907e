// The plain functions of @solo-io/proxy-runtime and @gcoredev/proxy-wasm-sdk-as whose names or
// shapes the SDK's own API does not have, on top of that API.
import { GrpcStatus, WasmResult } from "../abi/enums";
import { callForeignFunction } from "../api/foreign";
import { Headers } from "../api/pairs";
import { StatusWithData, get_status as statusOrNull } from "../api/status";
import { send_local_response } from "../api/stream";
import { encodeString } from "../dispatch/utf8_codec";

/** The status of the last callout reply; status 2 (gRPC Unknown) when the host has none. */
export function get_status(): StatusWithData {
  const status = statusOrNull();
  return status !== null ? status : new StatusWithData(GrpcStatus.Unknown, new ArrayBuffer(0));
}

/** Answers the current request from the filter, without a gRPC status. */
export function send_http_response(
  response_code: u32,
  response_code_details: string,
  body: ArrayBuffer,
  additional_headers: Headers,
): WasmResult {
  return send_local_response(
    response_code,
    response_code_details,
    body,
    additional_headers,
    GrpcStatus.InvalidCode,
  );
}

/**
 * Calls the host's foreign function `function_name` with the UTF-8 bytes of `argument`; its
 * result bytes, or an empty buffer when it failed.
 */
export function call_foreign_function(function_name: string, argument: string): ArrayBuffer {
  const result = callForeignFunction(function_name, encodeString(argument));
  return result.ok ? result.value : new ArrayBuffer(0);
}

/** Makes Envoy pick the route again after header changes (its `clear_route_cache` function). */
export function clear_route_cache(): WasmResult {
  return callForeignFunction("clear_route_cache", new ArrayBuffer(0)).status;
}
