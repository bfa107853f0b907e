// proxy-wasm-as: the public API of the Proxy-Wasm SDK for AssemblyScript.
// Filters import from "proxy-wasm-as" and re-export "proxy-wasm-as/proxy". This list is the
// whole API: it names every export itself, so the compat entries can change independently.

import "./dispatch/abort";

// The contexts a filter extends.
export { RootContext, registerRootContext } from "./contexts/root_context";
export { Context } from "./contexts/context";
export { TcpContext } from "./contexts/tcp_context";

// The base of every context.
export { BaseContext } from "./contexts/base_context";

// ABI enumerations (with @solo-io/proxy-runtime's names).
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
} from "./abi/enums";

// Headers, bodies, buffers.
export {
  HeaderPair,
  Headers,
  makeHeaders,
  findHeader,
  serializeHeaders,
  parsePairs,
} from "./api/pairs";
export { HeaderMap, HeaderMapPair, StreamContext } from "./api/headers";
export { Buffer, BodyPair } from "./api/buffers";
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
} from "./api/instances";

// Stream control and local replies.
export {
  send_local_response,
  continue_request,
  continue_response,
  continue_stream,
  close_stream,
} from "./api/stream";

// Callouts.
export { dispatchHttpCall, lastCallToken } from "./api/http_call";
export { grpcCall, grpcStream, grpcSend, grpcCancel, grpcClose } from "./api/grpc";

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
} from "./api/log";

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
} from "./api/properties";

// Shared state between plugins and workers.
export { SharedData, getSharedData, setSharedData, setSharedDataString } from "./api/shared_data";
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
} from "./api/shared_queue";

// Metrics.
export { Metric, Counter, Gauge, Histogram, defineMetric, metricNameWithTags } from "./api/metrics";

// Time, status, foreign functions.
export { get_current_time_nanoseconds, set_tick_period_milliseconds } from "./api/time";
export {
  StatusWithData,
  get_status,
  done,
  set_effective_context,
  proxy_set_effective_context,
} from "./api/status";
export { callForeignFunction, lastForeignFunctionResult } from "./api/foreign";

// JSON configuration (parsed with assemblyscript-json).
export {
  JSON,
  parseJsonObject,
  tryParseJsonObject,
  checkJsonSyntax,
  lastJsonError,
} from "./api/json_config";

// Base64.
export { base64Encode, base64EncodeString, base64Decode, base64DecodeString } from "./api/base64";
