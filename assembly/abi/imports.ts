// The hostcalls Envoy provides to a Proxy-Wasm 0.2.1 module (docs/abi.md §3).
// Raw declarations only: pointers and lengths in, a WasmResult code out. Typed wrappers live
// one level up, one file per area. Names, parameters and their wasm types follow the ABI table
// (scripts/abi.mjs); tests/abi/abi_table.test.ts fails when a declaration differs from it.

// Logging, time and the effective context.
@external("env", "proxy_log")
export declare function proxy_log(level: u32, message_ptr: usize, message_size: usize): u32;
@external("env", "proxy_get_log_level")
export declare function proxy_get_log_level(return_level: usize): u32;
@external("env", "proxy_get_current_time_nanoseconds")
export declare function proxy_get_current_time_nanoseconds(return_time: usize): u32;
@external("env", "proxy_set_tick_period_milliseconds")
export declare function proxy_set_tick_period_milliseconds(millisecond: u32): u32;
@external("env", "proxy_set_effective_context")
export declare function proxy_set_effective_context(context_id: u32): u32;
@external("env", "proxy_done")
export declare function proxy_done(): u32;
@external("env", "proxy_get_status")
export declare function proxy_get_status(
  return_code: usize,
  return_message_ptr: usize,
  return_message_size: usize,
): u32;

// Properties.
@external("env", "proxy_get_property")
export declare function proxy_get_property(
  path_ptr: usize,
  path_size: usize,
  return_value_ptr: usize,
  return_value_size: usize,
): u32;
@external("env", "proxy_set_property")
export declare function proxy_set_property(
  path_ptr: usize,
  path_size: usize,
  value_ptr: usize,
  value_size: usize,
): u32;

// Buffers: bodies, TCP data, call responses, configuration, foreign-function arguments.
@external("env", "proxy_get_buffer_bytes")
export declare function proxy_get_buffer_bytes(
  buffer_type: u32,
  start: u32,
  max_size: u32,
  return_buffer_data: usize,
  return_buffer_size: usize,
): u32;
@external("env", "proxy_get_buffer_status")
export declare function proxy_get_buffer_status(
  buffer_type: u32,
  return_length: usize,
  return_flags: usize,
): u32;
@external("env", "proxy_set_buffer_bytes")
export declare function proxy_set_buffer_bytes(
  buffer_type: u32,
  start: u32,
  size: u32,
  buffer_data: usize,
  buffer_size: usize,
): u32;

// Header and metadata maps.
@external("env", "proxy_get_header_map_pairs")
export declare function proxy_get_header_map_pairs(
  map_type: u32,
  return_ptr: usize,
  return_size: usize,
): u32;
@external("env", "proxy_set_header_map_pairs")
export declare function proxy_set_header_map_pairs(map_type: u32, ptr: usize, size: usize): u32;
@external("env", "proxy_get_header_map_value")
export declare function proxy_get_header_map_value(
  map_type: u32,
  key_ptr: usize,
  key_size: usize,
  return_value_ptr: usize,
  return_value_size: usize,
): u32;
@external("env", "proxy_add_header_map_value")
export declare function proxy_add_header_map_value(
  map_type: u32,
  key_ptr: usize,
  key_size: usize,
  value_ptr: usize,
  value_size: usize,
): u32;
@external("env", "proxy_replace_header_map_value")
export declare function proxy_replace_header_map_value(
  map_type: u32,
  key_ptr: usize,
  key_size: usize,
  value_ptr: usize,
  value_size: usize,
): u32;
@external("env", "proxy_remove_header_map_value")
export declare function proxy_remove_header_map_value(
  map_type: u32,
  key_ptr: usize,
  key_size: usize,
): u32;
@external("env", "proxy_get_header_map_size")
export declare function proxy_get_header_map_size(map_type: u32, return_size: usize): u32;

// Stream control and local replies.
@external("env", "proxy_continue_stream")
export declare function proxy_continue_stream(stream_type: u32): u32;
@external("env", "proxy_close_stream")
export declare function proxy_close_stream(stream_type: u32): u32;
@external("env", "proxy_send_local_response")
export declare function proxy_send_local_response(
  status_code: u32,
  details_ptr: usize,
  details_size: usize,
  body_ptr: usize,
  body_size: usize,
  headers_ptr: usize,
  headers_size: usize,
  grpc_status: i32,
): u32;

// HTTP and gRPC callouts.
@external("env", "proxy_http_call")
export declare function proxy_http_call(
  upstream_ptr: usize,
  upstream_size: usize,
  headers_ptr: usize,
  headers_size: usize,
  body_ptr: usize,
  body_size: usize,
  trailers_ptr: usize,
  trailers_size: usize,
  timeout_milliseconds: u32,
  return_token: usize,
): u32;
@external("env", "proxy_grpc_call")
export declare function proxy_grpc_call(
  upstream_ptr: usize,
  upstream_size: usize,
  service_ptr: usize,
  service_size: usize,
  method_ptr: usize,
  method_size: usize,
  metadata_ptr: usize,
  metadata_size: usize,
  message_ptr: usize,
  message_size: usize,
  timeout_milliseconds: u32,
  return_token: usize,
): u32;
@external("env", "proxy_grpc_stream")
export declare function proxy_grpc_stream(
  upstream_ptr: usize,
  upstream_size: usize,
  service_ptr: usize,
  service_size: usize,
  method_ptr: usize,
  method_size: usize,
  metadata_ptr: usize,
  metadata_size: usize,
  return_token: usize,
): u32;
@external("env", "proxy_grpc_send")
export declare function proxy_grpc_send(
  token: u32,
  message_ptr: usize,
  message_size: usize,
  end_stream: u32,
): u32;
@external("env", "proxy_grpc_cancel")
export declare function proxy_grpc_cancel(token: u32): u32;
@external("env", "proxy_grpc_close")
export declare function proxy_grpc_close(token: u32): u32;

// Shared data and queues.
@external("env", "proxy_get_shared_data")
export declare function proxy_get_shared_data(
  key_ptr: usize,
  key_size: usize,
  return_value_ptr: usize,
  return_value_size: usize,
  return_cas: usize,
): u32;
@external("env", "proxy_set_shared_data")
export declare function proxy_set_shared_data(
  key_ptr: usize,
  key_size: usize,
  value_ptr: usize,
  value_size: usize,
  cas: u32,
): u32;
@external("env", "proxy_register_shared_queue")
export declare function proxy_register_shared_queue(
  name_ptr: usize,
  name_size: usize,
  return_id: usize,
): u32;
@external("env", "proxy_resolve_shared_queue")
export declare function proxy_resolve_shared_queue(
  vm_id_ptr: usize,
  vm_id_size: usize,
  name_ptr: usize,
  name_size: usize,
  return_id: usize,
): u32;
@external("env", "proxy_enqueue_shared_queue")
export declare function proxy_enqueue_shared_queue(
  queue_id: u32,
  value_ptr: usize,
  value_size: usize,
): u32;
@external("env", "proxy_dequeue_shared_queue")
export declare function proxy_dequeue_shared_queue(
  queue_id: u32,
  return_value_ptr: usize,
  return_value_size: usize,
): u32;

// Metrics.
@external("env", "proxy_define_metric")
export declare function proxy_define_metric(
  metric_type: u32,
  name_ptr: usize,
  name_size: usize,
  return_id: usize,
): u32;
@external("env", "proxy_increment_metric")
export declare function proxy_increment_metric(metric_id: u32, offset: i64): u32;
@external("env", "proxy_record_metric")
export declare function proxy_record_metric(metric_id: u32, value: u64): u32;
@external("env", "proxy_get_metric")
export declare function proxy_get_metric(metric_id: u32, return_value: usize): u32;

// Foreign functions.
@external("env", "proxy_call_foreign_function")
export declare function proxy_call_foreign_function(
  name_ptr: usize,
  name_size: usize,
  args_ptr: usize,
  args_size: usize,
  return_results_ptr: usize,
  return_results_size: usize,
): u32;
