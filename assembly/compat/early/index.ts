// What filters written for the early @solo-io/proxy-runtime (the `wasme init` template, with
// `RootContextHelper` / `ContextHelper`) import. The compat transform sends their
// `import … from "@solo-io/proxy-runtime"` here: the same names as the package root, with the
// early context classes.
import "../../dispatch/abort";

export { RootContext, Context, RootContextHelper, ContextHelper } from "./contexts";
export { registerRootContext } from "./register";
export { BaseContext } from "../../contexts/base_context";
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
  HeaderMapTypeValues,
  StreamTypeValues,
  MetricTypeValues,
  PeerTypeValues,
} from "../values";
export { stream_context, makeHeaderPair } from "../headers";
export { HeaderPair, Headers } from "../../api/pairs";
export { Gauge, Histogram, Counter } from "../metrics";
export { log } from "../../api/log";
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
export { call_foreign_function } from "../calls";
