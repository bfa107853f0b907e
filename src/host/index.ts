// proxy-wasm-as/host: run a compiled Proxy-Wasm module in Node the way Envoy runs it.
export {
  Host,
  type HostOptions,
  type LoadOptions,
  type WasmSource,
  type ForeignFunction,
} from "./host.js";
export { RootContext, type Plugin, type PluginOptions, type RootState } from "./root_context.js";
export {
  HttpContext,
  type HttpStreamListener,
  type HttpStreamState,
  type CallbackStatus,
  type StreamOptions,
} from "./http_context.js";
export { HttpMessage } from "./http_message.js";
export { TcpContext, TcpFlow, type TcpListener, type TcpState } from "./tcp_context.js";
export type { LocalResponse } from "./context.js";
export { HeaderMap, type HeadersInit } from "./header_map.js";
export type { HttpCallout, CalloutResponse } from "./callouts.js";
export type { GrpcCall } from "./grpc.js";
export type { Metric } from "./metrics.js";
export type { LogEntry } from "./logs.js";
export { formatLogEntry } from "./logs.js";
export type { SharedEntry } from "./shared_data.js";
export { TypedValue, encodeProperty, type PropertyValue } from "./properties.js";
export { encodePairs, decodePairs, PAIRS_MAX_BYTES, PAIRS_MAX_COUNT, type Pair } from "./pairs.js";
export { LoadError, StartError } from "./errors.js";
export { TrapError, type TrapFrame, type SourceMapOption } from "./trap_location.js";
export { Vm, type VmOptions } from "./vm.js";
export { VirtualClock } from "./clock.js";
export { Action } from "./action.js";
export { type LogLevelName } from "./log_level.js";
export {
  WasmResult,
  LogLevel,
  BufferType,
  HeaderMapType,
  StreamType,
  PeerType,
  MetricType,
  GrpcStatus,
  FilterHeadersStatus,
  FilterDataStatus,
  FilterTrailersStatus,
  FilterMetadataStatus,
  FilterStatus,
  ABI_VERSIONS,
  type AbiVersion,
} from "./enums.js";
export {
  fuzz,
  formatFuzzReport,
  type FuzzOptions,
  type FuzzReport,
  type FuzzFailure,
  type FuzzRun,
  type FuzzCheck,
} from "./fuzz/index.js";
