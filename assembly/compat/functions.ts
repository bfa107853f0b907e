// The free functions and header/metric helpers that @solo-io/proxy-runtime (every flavour) and
// @gcoredev/proxy-wasm-sdk-as export alike from their package roots. Each entry (index.ts,
// early/index.ts, gcore/index.ts) re-exports these and adds its own contexts, enums and extras.
export { stream_context, makeHeaderPair } from "./headers";
export { HeaderPair, Headers } from "../api/pairs";
export { Gauge, Histogram, Counter } from "./metrics";
export { send_local_response } from "../api/stream";
export {
  continue_request,
  continue_response,
  proxy_set_effective_context,
  get_property,
  set_property,
  set_tick_period_milliseconds,
  get_current_time_nanoseconds,
  call_foreign_function,
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
