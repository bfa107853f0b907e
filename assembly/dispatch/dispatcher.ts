// What each `proxy_on_*` export does: find the context, call its method, translate the answer.
// Unknown ids are logged and answered with the harmless default instead of trapping.
import { BaseContext } from "../contexts/base_context";
import { LogLevel } from "../abi/enums";
import { forgetLogLevel, logLine, sdkLine } from "../api/log";
import { lineMessage, lineNumber, lineText } from "./utf8";
import {
  NOT_REGISTERED,
  NO_ROOT_CONTEXT,
  NO_STREAM_CONTEXT,
  NULL_STREAM,
  PLUGIN_ROOT_ID,
  QUOTE,
  ROOT_ID,
  UNKNOWN_CALL,
  USING_NOTHING,
  MESSAGE_TEXT,
} from "./messages";
import { takeString } from "./memory";
import { fetchRaw } from "../api/properties";
import { RootContextBase } from "../contexts/root_context_base";
import { StreamContextBase } from "../contexts/stream_context_base";
import { findCall } from "./callouts";
import {
  collectAfterStream,
  collectIfMuchAllocated,
  enterCallback,
  leaveCallback,
} from "./collector";
import {
  RootFactory,
  findRootFactory,
  firstRootFactory,
  getContext,
  putContext,
  removeContext,
} from "./registry";

/** Called first in every callback. */
export function enter(): void {
  enterCallback();
  forgetLogLevel();
  collectIfMuchAllocated();
}

/** Called last in every callback that returns nothing. */
export function leave(): void {
  leaveCallback();
}

/** Called last in every callback that returns a value: `return result(value)`. */
// @ts-ignore: decorator
@inline export function result<T>(value: T): T {
  leaveCallback();
  return value;
}

function missing(message: u32, context_id: u32): void {
  sdkLine(message);
  lineNumber(context_id);
  logLine(LogLevel.Error);
}

/** The root context with `context_id`, or null (logged). */
export function rootOf(context_id: u32): RootContextBase | null {
  const context = getContext(context_id);
  if (context === null || !context._isRoot) {
    missing(NO_ROOT_CONTEXT, context_id);
    return null;
  }
  return changetype<RootContextBase>(context);
}

/** The stream context with `context_id`, or null (logged). */
export function streamOf(context_id: u32): StreamContextBase | null {
  const context = getContext(context_id);
  if (context === null || context._isRoot) {
    missing(NO_STREAM_CONTEXT, context_id);
    return null;
  }
  return changetype<StreamContextBase>(context);
}

function chooseFactory(): RootFactory | null {
  // The property path is a stored message: its bytes need no encoding.
  const found = fetchRaw(MESSAGE_TEXT + (PLUGIN_ROOT_ID >> 8), PLUGIN_ROOT_ID & 255);
  const name = found ? takeString() : "";
  const exact = findRootFactory(name);
  if (exact !== null) return exact;
  // One message for both cases: "root_id 'x' is not registered; using 'first'", or "using
  // nothing (all traffic passes)" when registerRootContext was never called.
  const first = firstRootFactory();
  sdkLine(ROOT_ID);
  lineText(name);
  lineMessage(NOT_REGISTERED);
  if (first !== null) {
    lineMessage(QUOTE);
    lineText(first.name);
    lineMessage(QUOTE);
  } else {
    lineMessage(USING_NOTHING);
  }
  logLine(name.length == 0 && first !== null ? LogLevel.Info : LogLevel.Warn);
  return first;
}

/** `proxy_on_context_create`: a root when `parent_id` is 0, else a stream of that root. */
export function createContext(context_id: u32, parent_id: u32): void {
  if (parent_id == 0) {
    const factory = chooseFactory();
    const root = factory !== null ? factory.build(context_id) : new RootContextBase(context_id);
    root.contextId = context_id;
    putContext(root);
    return;
  }
  const root = rootOf(parent_id);
  if (root === null) return;
  const stream = root._createStream(context_id);
  if (stream === null) {
    sdkLine(NULL_STREAM);
    lineNumber(parent_id);
    logLine(LogLevel.Error);
    return;
  }
  stream.contextId = context_id;
  putContext(stream);
}

/** `proxy_on_done`: a root may answer false and call `done()` later. */
export function done(context_id: u32): bool {
  const context = getContext(context_id);
  if (context === null) return true;
  return context.onDone();
}

/** `proxy_on_delete`: the last callback of a context. */
export function deleteContext(context_id: u32): void {
  const context = getContext(context_id);
  if (context === null) return;
  context.onDelete();
  context._deleted = true;
  removeContext(context_id);
  if (!context._isRoot) collectAfterStream();
}

/** The context that started callout `token`, with the call forgotten when `final`. */
function callOrigin(token: u32, final: bool): BaseContext | null {
  const call = findCall(token, final);
  if (call === null) {
    sdkLine(UNKNOWN_CALL);
    lineNumber(token);
    logLine(LogLevel.Debug);
    return null;
  }
  const origin = call.origin;
  if (origin._deleted) return null;
  origin.setEffectiveContext();
  return origin;
}

/** `proxy_on_http_call_response`, routed to the context that made the call. */
export function httpCallResponse(
  token: u32,
  num_headers: u32,
  body_size: usize,
  num_trailers: u32,
): void {
  const call = findCall(token, false);
  const origin = callOrigin(token, true);
  if (origin === null || call === null) return;
  const callback = call.callback;
  if (callback !== null) {
    callback(origin, num_headers, body_size, num_trailers);
  } else {
    origin.onHttpCallResponse(token, num_headers, body_size, num_trailers);
  }
}

/** `proxy_on_grpc_receive_initial_metadata`. */
export function grpcInitialMetadata(token: u32, num_elements: u32): void {
  const origin = callOrigin(token, false);
  if (origin !== null) origin.onGrpcReceiveInitialMetadata(token, num_elements);
}

/** `proxy_on_grpc_receive`: the end of a unary call, or one message of a stream. */
export function grpcReceive(token: u32, message_size: usize): void {
  const call = findCall(token, false);
  const origin = callOrigin(token, call !== null && !call.isStream);
  if (origin !== null) origin.onGrpcReceive(token, message_size);
}

/** `proxy_on_grpc_receive_trailing_metadata`. */
export function grpcTrailingMetadata(token: u32, num_elements: u32): void {
  const origin = callOrigin(token, false);
  if (origin !== null) origin.onGrpcReceiveTrailingMetadata(token, num_elements);
}

/** `proxy_on_grpc_close`: the call or stream is over. */
export function grpcClose(token: u32, status_code: u32): void {
  const origin = callOrigin(token, true);
  if (origin !== null) origin.onGrpcClose(token, status_code);
}
