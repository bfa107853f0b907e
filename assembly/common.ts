// Everything of the public API except the context classes, which differ between the current API
// (index.ts) and the @solo-io/proxy-runtime one (compat/index.ts).

import "./runtime/abort";

// The base of every context.
export { BaseContext } from "./base_context";

// ABI enumerations (with @solo-io/proxy-runtime's names).
export {
  WasmResultValues,
  LogLevelValues,
  FilterHeadersStatusValues,
  FilterDataStatusValues,
  FilterTrailersStatusValues,
  FilterMetadataStatusValues,
  FilterStatusValues,
  PeerTypeValues,
  BufferTypeValues,
  HeaderMapTypeValues,
  StreamTypeValues,
  MetricTypeValues,
  GrpcStatusValues,
} from "./abi/enums";

// Headers, bodies, buffers.
export {
  HeaderPair,
  Headers,
  makeHeaders,
  findHeader,
  serializeHeaders,
  parsePairs,
} from "./pairs";
export { HeaderMap, HeaderMapPair, StreamContext } from "./headers";
export { Buffer, BodyPair } from "./buffers";
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
} from "./instances";

// Stream control and local replies.
export {
  send_local_response,
  continue_request,
  continue_response,
  continue_stream,
  close_stream,
} from "./stream";

// Callouts.
export { dispatchHttpCall, lastCallToken } from "./http_call";
export { grpcCall, grpcStream, grpcSend, grpcCancel, grpcClose } from "./grpc";

// Logging.
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
} from "./log";

// Properties.
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
} from "./properties";

// Shared state between plugins and workers.
export { SharedData, getSharedData, setSharedData, setSharedDataString } from "./shared_data";
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
} from "./shared_queue";

// Metrics.
export { Metric, Counter, Gauge, Histogram, defineMetric, metricNameWithTags } from "./metrics";

// Time, status, foreign functions.
export { get_current_time_nanoseconds, set_tick_period_milliseconds } from "./time";
export {
  StatusWithData,
  get_status,
  done,
  set_effective_context,
  proxy_set_effective_context,
} from "./status";
export { callForeignFunction, lastForeignFunctionResult } from "./foreign";

// JSON configuration (parsed with assemblyscript-json).
export {
  JSON,
  parseJsonObject,
  tryParseJsonObject,
  checkJsonSyntax,
  lastJsonError,
} from "./json_config";

// Base64.
export { base64Encode, base64EncodeString, base64Decode, base64DecodeString } from "./base64";
