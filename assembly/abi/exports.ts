// The callbacks the host calls (docs/abi.md §2), with the exact ABI 0.2.1 signatures of the ABI
// table, scripts/abi.mjs (tests/abi/abi_table.test.ts fails when one differs from it).
// Each one only forwards to the dispatcher, between `enter()` and `leave()` (or `result()`), which
// keep the callback depth the collector needs (see dispatch/collector.ts). A trap skips `leave()`;
// the VM is dead after a trap anyway. Filters re-export this file:
// `export * from "proxy-wasm-as/proxy";`
import { allocate } from "../dispatch/memory";
import "../dispatch/abort";
import * as dispatch from "../dispatch/dispatcher";
import { PeerType } from "./enums";

/** The ABI version marker the host looks for; never called. */
export function proxy_abi_version_0_2_1(): void {}

/** The one allocator the host uses to hand us data. */
export function proxy_on_memory_allocate(size: usize): usize {
  return allocate(size);
}

export function proxy_on_context_create(context_id: u32, parent_context_id: u32): void {
  dispatch.enter();
  dispatch.createContext(context_id, parent_context_id);
  dispatch.leave();
}

export function proxy_on_vm_start(root_context_id: u32, vm_configuration_size: u32): bool {
  dispatch.enter();
  const root = dispatch.rootOf(root_context_id);
  return dispatch.result(root !== null ? root.onStart(vm_configuration_size) : false);
}

export function proxy_validate_configuration(root_context_id: u32, configuration_size: u32): bool {
  dispatch.enter();
  const root = dispatch.rootOf(root_context_id);
  return dispatch.result(root !== null ? root.validateConfiguration(configuration_size) : false);
}

export function proxy_on_configure(root_context_id: u32, configuration_size: u32): bool {
  dispatch.enter();
  const root = dispatch.rootOf(root_context_id);
  return dispatch.result(root !== null ? root._onConfigure(configuration_size) : false);
}

export function proxy_on_tick(root_context_id: u32): void {
  dispatch.enter();
  const root = dispatch.rootOf(root_context_id);
  if (root !== null) root.onTick();
  dispatch.leave();
}

export function proxy_on_queue_ready(root_context_id: u32, queue_id: u32): void {
  dispatch.enter();
  const root = dispatch.rootOf(root_context_id);
  if (root !== null) root.onQueueReady(queue_id);
  dispatch.leave();
}

export function proxy_on_foreign_function(
  root_context_id: u32,
  function_id: u32,
  arguments_size: u32,
): void {
  dispatch.enter();
  const root = dispatch.rootOf(root_context_id);
  if (root !== null) root.onForeignFunction(function_id, arguments_size);
  dispatch.leave();
}

export function proxy_on_new_connection(context_id: u32): u32 {
  dispatch.enter();
  const stream = dispatch.streamOf(context_id);
  return dispatch.result(stream !== null ? stream._onNewConnection() : 0);
}

export function proxy_on_downstream_data(context_id: u32, data_size: u32, end_of_stream: u32): u32 {
  dispatch.enter();
  const stream = dispatch.streamOf(context_id);
  return dispatch.result(
    stream !== null ? stream._onDownstreamData(data_size, end_of_stream != 0) : 0,
  );
}

export function proxy_on_upstream_data(context_id: u32, data_size: u32, end_of_stream: u32): u32 {
  dispatch.enter();
  const stream = dispatch.streamOf(context_id);
  return dispatch.result(
    stream !== null ? stream._onUpstreamData(data_size, end_of_stream != 0) : 0,
  );
}

export function proxy_on_downstream_connection_close(context_id: u32, peer_type: u32): void {
  dispatch.enter();
  const stream = dispatch.streamOf(context_id);
  if (stream !== null) stream._onDownstreamConnectionClose(<PeerType>peer_type);
  dispatch.leave();
}

export function proxy_on_upstream_connection_close(context_id: u32, peer_type: u32): void {
  dispatch.enter();
  const stream = dispatch.streamOf(context_id);
  if (stream !== null) stream._onUpstreamConnectionClose(<PeerType>peer_type);
  dispatch.leave();
}

export function proxy_on_request_headers(context_id: u32, headers: u32, end_of_stream: u32): u32 {
  dispatch.enter();
  const stream = dispatch.streamOf(context_id);
  return dispatch.result(
    stream !== null ? stream._onRequestHeaders(headers, end_of_stream != 0) : 0,
  );
}

export function proxy_on_request_body(context_id: u32, body_size: u32, end_of_stream: u32): u32 {
  dispatch.enter();
  const stream = dispatch.streamOf(context_id);
  return dispatch.result(
    stream !== null ? stream._onRequestBody(body_size, end_of_stream != 0) : 0,
  );
}

export function proxy_on_request_trailers(context_id: u32, trailers: u32): u32 {
  dispatch.enter();
  const stream = dispatch.streamOf(context_id);
  return dispatch.result(stream !== null ? stream._onRequestTrailers(trailers) : 0);
}

export function proxy_on_request_metadata(context_id: u32, elements: u32): u32 {
  dispatch.enter();
  const stream = dispatch.streamOf(context_id);
  return dispatch.result(stream !== null ? stream._onRequestMetadata(elements) : 0);
}

export function proxy_on_response_headers(context_id: u32, headers: u32, end_of_stream: u32): u32 {
  dispatch.enter();
  const stream = dispatch.streamOf(context_id);
  return dispatch.result(
    stream !== null ? stream._onResponseHeaders(headers, end_of_stream != 0) : 0,
  );
}

export function proxy_on_response_body(context_id: u32, body_size: u32, end_of_stream: u32): u32 {
  dispatch.enter();
  const stream = dispatch.streamOf(context_id);
  return dispatch.result(
    stream !== null ? stream._onResponseBody(body_size, end_of_stream != 0) : 0,
  );
}

export function proxy_on_response_trailers(context_id: u32, trailers: u32): u32 {
  dispatch.enter();
  const stream = dispatch.streamOf(context_id);
  return dispatch.result(stream !== null ? stream._onResponseTrailers(trailers) : 0);
}

export function proxy_on_response_metadata(context_id: u32, elements: u32): u32 {
  dispatch.enter();
  const stream = dispatch.streamOf(context_id);
  return dispatch.result(stream !== null ? stream._onResponseMetadata(elements) : 0);
}

export function proxy_on_http_call_response(
  root_context_id: u32,
  token: u32,
  headers: u32,
  body_size: u32,
  trailers: u32,
): void {
  dispatch.enter();
  dispatch.httpCallResponse(token, headers, body_size, trailers);
  dispatch.leave();
}

export function proxy_on_grpc_receive_initial_metadata(
  root_context_id: u32,
  token: u32,
  elements: u32,
): void {
  dispatch.enter();
  dispatch.grpcInitialMetadata(token, elements);
  dispatch.leave();
}

export function proxy_on_grpc_receive(root_context_id: u32, token: u32, message_size: u32): void {
  dispatch.enter();
  dispatch.grpcReceive(token, message_size);
  dispatch.leave();
}

export function proxy_on_grpc_receive_trailing_metadata(
  root_context_id: u32,
  token: u32,
  elements: u32,
): void {
  dispatch.enter();
  dispatch.grpcTrailingMetadata(token, elements);
  dispatch.leave();
}

export function proxy_on_grpc_close(root_context_id: u32, token: u32, status_code: u32): void {
  dispatch.enter();
  dispatch.grpcClose(token, status_code);
  dispatch.leave();
}

export function proxy_on_log(context_id: u32): void {
  dispatch.enter();
  const stream = dispatch.streamOf(context_id);
  if (stream !== null) stream._onLog();
  dispatch.leave();
}

export function proxy_on_done(context_id: u32): bool {
  dispatch.enter();
  return dispatch.result(dispatch.done(context_id));
}

export function proxy_on_delete(context_id: u32): void {
  dispatch.enter();
  dispatch.deleteContext(context_id);
  dispatch.leave();
}
