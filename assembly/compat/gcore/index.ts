// `import … from "@gcoredev/proxy-wasm-sdk-as/assembly"`: every name the package's
// assembly/index.ts exports in 1.2.3, re-exported from where it lives.
import "../../dispatch/abort";

export { BaseContext } from "../../contexts/base_context";
export { RootContext, Context, HttpCallback, registerRootContext } from "../contexts";
export {
  BufferTypeValues,
  FilterDataStatusValues,
  FilterHeadersStatusValues,
  FilterMetadataStatusValues,
  FilterStatusValues,
  FilterTrailersStatusValues,
  GrpcStatusValues,
  LogLevelValues,
  WasmResultValues,
} from "../values";
export { stream_context, makeHeaderPair } from "../headers";
export { HeaderPair, Headers } from "../../api/pairs";
export { Gauge, Histogram, Counter } from "../metrics";
export { log } from "./log";
export { send_local_response } from "../../api/stream";
export {
  continue_request,
  continue_response,
  proxy_set_effective_context,
  get_property,
  set_property,
  set_tick_period_milliseconds,
  get_current_time_nanoseconds,
} from "../calls";
export {
  GetSharedData,
  get_shared_data,
  set_shared_data,
  register_shared_queue,
  resolve_shared_queue,
  enqueue_shared_queue,
  dequeue_shared_queue,
} from "../shared";
export { get_buffer_bytes, set_buffer_bytes } from "../buffers";
export { call_foreign_function, send_http_response } from "../calls";
