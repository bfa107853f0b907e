// `import … from "@solo-io/proxy-runtime/assembly/runtime"`: the names of the runtime file of
// 0.1.8, and everything the 0.1.15 package root exports.
export * from "./index";
export { abort_proc_exit } from "../dispatch/abort";
export { HeaderMapTypeValues, StreamTypeValues, MetricTypeValues, PeerTypeValues } from "./values";
export { BufferFlagsValues, BufferStatusResult, get_buffer_status } from "./buffers";
export {
  add_header_map_value,
  add_header_map_value_string,
  get_header_map_value,
  get_header_map_value_string,
  replace_header_map_value,
  replace_header_map_value_string,
  remove_header_map_value,
  remove_header_map_value_string,
  get_header_map_size,
} from "./headers";
export {
  MetricResult,
  MetricData,
  define_metric,
  increment_metric,
  record_metric,
  get_metric,
} from "./metrics";
export { StatusWithData, get_status, send_http_response, clear_route_cache } from "./calls";
export { done } from "../api/status";
export {
  Reference,
  getBaseContext,
  getContext,
  getRootContext,
  ensureRootContext,
  ensureContext,
  deleteContext,
} from "./runtime_support";
