// What filters written for the early @solo-io/proxy-runtime (the `wasme init` template) import.
// Each name is re-exported from where it lives, so this list does not follow the main export
// list (assembly/index.ts) when that one changes.
import "../dispatch/abort";

export { RootContext, Context, RootContextHelper, ContextHelper } from "./root_context";
export { registerRootContext } from "./register";
export { BaseContext } from "../contexts/base_context";
export {
  WasmResult,
  LogLevel,
  FilterHeadersStatus,
  FilterDataStatus,
  FilterTrailersStatus,
  FilterMetadataStatus,
  FilterStatus,
  PeerType,
  BufferType,
  HeaderMapType,
  StreamType,
  MetricType,
  GrpcStatus,
} from "../abi/enums";
export {
  HeaderPair,
  Headers,
  makeHeaders,
  findHeader,
  serializeHeaders,
  parsePairs,
} from "../api/pairs";
export { HeaderMap, HeaderMapPair, StreamContext } from "../api/headers";
export { Buffer, BodyPair } from "../api/buffers";
export {
  stream_context,
  http_call_response_headers,
  http_call_response_trailers,
  grpc_receive_initial_metadata,
  grpc_receive_trailing_metadata,
  stream_body,
  downstream_data,
  upstream_data,
  http_call_response_body,
  grpc_receive_buffer,
  vm_configuration,
  plugin_configuration,
  foreign_function_arguments,
} from "../api/instances";
export {
  send_local_response,
  continue_request,
  continue_response,
  continue_stream,
  close_stream,
} from "../api/stream";
export { dispatchHttpCall, lastCallToken } from "../api/http_call";
export { grpcCall, grpcStream, grpcSend, grpcCancel, grpcClose } from "../api/grpc";
export {
  log,
  isLogEnabled,
  getLogLevel,
  logTrace,
  logDebug,
  logInfo,
  logWarn,
  logError,
  logCritical,
} from "../api/log";
export {
  get_property,
  set_property,
  getProperty,
  getPropertyAt,
  getPropertyString,
  getPropertyStringAt,
  getPropertyInt,
  getPropertyBool,
  getPropertyMap,
  setPropertyString,
  encodePropertyPath,
  request,
  response,
  source,
  destination,
  connection,
  xds,
  plugin,
} from "../api/properties";
export { SharedData, getSharedData, setSharedData, setSharedDataString } from "../api/shared_data";
export {
  registerSharedQueue,
  resolveSharedQueue,
  enqueueSharedQueue,
  dequeueSharedQueue,
  lastSharedQueueId,
  register_shared_queue,
  resolve_shared_queue,
  enqueue_shared_queue,
  dequeue_shared_queue,
} from "../api/shared_queue";
export { Metric, Counter, Gauge, Histogram, defineMetric, metricNameWithTags } from "../api/metrics";
export { get_current_time_nanoseconds, set_tick_period_milliseconds } from "../api/time";
export {
  StatusWithData,
  get_status,
  done,
  set_effective_context,
  proxy_set_effective_context,
} from "../api/status";
export { callForeignFunction, lastForeignFunctionResult } from "../api/foreign";
export {
  JSON,
  parseJsonObject,
  tryParseJsonObject,
  checkJsonSyntax,
  lastJsonError,
} from "../api/json_config";
export { base64Encode, base64EncodeString, base64Decode, base64DecodeString } from "../api/base64";
export * from "./values";
