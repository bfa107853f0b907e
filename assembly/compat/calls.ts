// The plain functions of @solo-io/proxy-runtime and @gcoredev/proxy-wasm-sdk-as whose names or
// shapes the SDK's own API does not have, on top of that API. They live only here: the main
// export list has the camelCase functions they call.
import {
  proxy_set_effective_context as setEffectiveContext,
  proxy_set_tick_period_milliseconds,
} from "../abi/imports";
import { GrpcStatus, StreamType, WasmResult } from "../abi/enums";
import { callForeignFunction } from "../api/foreign";
import { Headers } from "../api/pairs";
import { getProperty, setProperty } from "../api/properties";
import { getCallStatus } from "../api/status";
import { continue_stream, send_local_response } from "../api/stream";
import { getCurrentTimeNanoseconds } from "../api/time";
import { decodeString, encodeString } from "../dispatch/utf8_codec";

/** The host's wall clock in nanoseconds since the Unix epoch, 0 if the host refuses. */
export function get_current_time_nanoseconds(): u64 {
  return getCurrentTimeNanoseconds().value;
}

/** Sets the tick period of the current root context (0 stops the timer). */
export function set_tick_period_milliseconds(millisecond: u32): WasmResult {
  return <WasmResult>proxy_set_tick_period_milliseconds(millisecond);
}

/** The raw value of property `path` ("request.path"), or an empty buffer when it is missing. */
export function get_property(path: string): ArrayBuffer {
  const value = getProperty(path);
  return value !== null ? value : new ArrayBuffer(0);
}

/** Sets property `path` (Envoy stores it in the filter state as `wasm.<path>`). */
export function set_property(path: string, data: ArrayBuffer): WasmResult {
  return setProperty(path, data);
}

/** Makes later hostcalls act on context `context_id`. */
export function proxy_set_effective_context(context_id: u32): WasmResult {
  return <WasmResult>setEffectiveContext(context_id);
}

/** Resumes the paused request of the effective stream. */
export function continue_request(): WasmResult {
  return continue_stream(StreamType.HttpRequest);
}

/** Resumes the paused response of the effective stream. */
export function continue_response(): WasmResult {
  return continue_stream(StreamType.HttpResponse);
}

/** A status code and its message, as `get_status` answers. */
export class StatusWithData {
  constructor(
    public status: u32,
    /** The message bytes. */
    public data: ArrayBuffer,
  ) {}

  /** The message as text. */
  get message(): string {
    return decodeString(this.data);
  }
}

/** The status of the last callout reply; status 2 (gRPC Unknown) when the host has none. */
export function get_status(): StatusWithData {
  const status = getCallStatus();
  if (status === null) return new StatusWithData(GrpcStatus.Unknown, new ArrayBuffer(0));
  return new StatusWithData(status.code, encodeString(status.message));
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
