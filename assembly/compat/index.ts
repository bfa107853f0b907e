// `import … from "@solo-io/proxy-runtime"`: every name the package root exports in 0.1.8 and
// 0.1.15. Each name is re-exported from where it lives, so this list does not follow the main
// export list (assembly/index.ts) when that one changes.
import "../dispatch/abort";

export { BaseContext } from "../contexts/base_context";
export { RootContext, Context, HttpCallback, registerRootContext } from "./contexts";
export {
  LogLevelValues,
  WasmResultValues,
  GrpcStatusValues,
  FilterStatusValues,
  FilterHeadersStatusValues,
  FilterMetadataStatusValues,
  FilterTrailersStatusValues,
  FilterDataStatusValues,
  BufferTypeValues,
} from "./values";
export { stream_context, makeHeaderPair } from "./headers";
export { HeaderPair, Headers } from "../api/pairs";
export { Gauge, Histogram, Counter } from "./metrics";
export { log } from "../api/log";
export { send_local_response } from "../api/stream";
export {
  continue_request,
  continue_response,
  proxy_set_effective_context,
  get_property,
  set_property,
  set_tick_period_milliseconds,
  get_current_time_nanoseconds,
} from "./calls";
export {
  GetSharedData,
  get_shared_data,
  set_shared_data,
  register_shared_queue,
  resolve_shared_queue,
  enqueue_shared_queue,
  dequeue_shared_queue,
} from "./shared";
export { get_buffer_bytes, set_buffer_bytes } from "./buffers";
export { call_foreign_function } from "./calls";
