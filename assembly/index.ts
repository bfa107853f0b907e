// proxy-wasm-as: the public API of the Proxy-Wasm SDK for AssemblyScript.
// Filters import from "proxy-wasm-as" and re-export "proxy-wasm-as/proxy". This list is the
// whole API: it names every export itself. Every function that calls the host follows one error
// convention (README "Errors"): actions return a WasmResult, reads return the value or null when
// there is none, and numbers or values whose failure needs a reason come in a Result.

import "./dispatch/abort";

// The contexts a filter extends.
export { RootContext, registerRootContext } from "./contexts/root_context";
export { StreamContext } from "./contexts/stream_context";
export { Context } from "./contexts/context";
export { TcpContext } from "./contexts/tcp_context";

// ABI enumerations.
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

// The answer of hostcalls that produce a number or need a reason.
export { Result } from "./api/result";

// Header maps and header lists.
export { HeaderMap } from "./api/headers";
export { HeaderPair, Headers, makeHeaders, findHeader } from "./api/pairs";
export {
  requestHeaders,
  responseHeaders,
  requestTrailers,
  responseTrailers,
  httpCallResponseHeaders,
  httpCallResponseTrailers,
  grpcInitialMetadata,
  grpcTrailingMetadata,
} from "./api/maps_and_buffers";

// Bodies and other byte buffers.
export { Buffer } from "./api/buffers";
export {
  requestBody,
  responseBody,
  downstreamData,
  upstreamData,
  httpCallResponseBody,
  grpcMessage,
  vmConfiguration,
  pluginConfiguration,
  foreignFunctionArguments,
} from "./api/maps_and_buffers";

// Callouts (started with the contexts' dispatchHttpCall, dispatchGrpcCall, openGrpcStream).
export { grpcSend, grpcCancel, grpcClose } from "./api/grpc";
export { CallStatus, getCallStatus } from "./api/status";

// Logging.
export { log, isLogEnabled, getLogLevel } from "./api/log";

// Properties.
export {
  getProperty,
  getPropertyAt,
  getPropertyString,
  getPropertyStringAt,
  getPropertyInt,
  getPropertyBool,
  getPropertyMap,
  setProperty,
  setPropertyString,
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
} from "./api/shared_queue";

// Metrics.
export { Metric, Counter, Gauge, Histogram } from "./api/metrics";

// Time and foreign functions.
export { getCurrentTimeNanoseconds } from "./api/time";
export { callForeignFunction } from "./api/foreign";

// JSON (values of assemblyscript-json, parsed by the SDK without trapping).
export { JSON, parseJsonObject, tryParseJsonObject, jsonSyntaxError } from "./api/json";

// Base64.
export { base64Encode, base64EncodeString, base64Decode, base64DecodeString } from "./api/base64";
