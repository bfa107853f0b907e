// Proxy-Wasm enums, values as in proxy-wasm-cpp-sdk `proxy_wasm_common.h` / `proxy_wasm_enums.h` (abi.md §3).

/** Result code of every hostcall. */
export enum WasmResult {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  BadExpression = 5,
  InvalidMemoryAccess = 6,
  Empty = 7,
  CasMismatch = 8,
  ResultMismatch = 9,
  InternalFailure = 10,
  BrokenConnection = 11,
  Unimplemented = 12,
}

/** Log levels of `proxy_log` / `proxy_get_log_level`. */
export enum LogLevel {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
  Critical = 5,
  /** spdlog "off": only returned by `proxy_get_log_level`. */
  Off = 6,
}

export enum BufferType {
  HttpRequestBody = 0,
  HttpResponseBody = 1,
  DownstreamData = 2,
  UpstreamData = 3,
  HttpCallResponseBody = 4,
  GrpcReceiveBuffer = 5,
  VmConfiguration = 6,
  PluginConfiguration = 7,
  CallData = 8,
}

export enum MapType {
  HttpRequestHeaders = 0,
  HttpRequestTrailers = 1,
  HttpResponseHeaders = 2,
  HttpResponseTrailers = 3,
  GrpcReceiveInitialMetadata = 4,
  GrpcReceiveTrailingMetadata = 5,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
}

export enum StreamType {
  HttpRequest = 0,
  HttpResponse = 1,
  Downstream = 2,
  Upstream = 3,
}

export enum PeerType {
  Unknown = 0,
  Local = 1,
  Remote = 2,
}

export enum MetricType {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}

/** What a stream callback asked for, after Envoy's status mapping (proxy-wasm `Action`). */
export const Action = { Continue: 0, Pause: 1 } as const;
export type Action = (typeof Action)[keyof typeof Action];

/** Envoy's `Http::FilterHeadersStatus`. */
export enum FilterHeadersStatus {
  Continue = 0,
  StopIteration = 1,
  ContinueAndEndStream = 2,
  StopAllIterationAndBuffer = 3,
  StopAllIterationAndWatermark = 4,
}

/** Envoy's `Http::FilterDataStatus`. */
export enum FilterDataStatus {
  Continue = 0,
  StopIterationAndBuffer = 1,
  StopIterationAndWatermark = 2,
  StopIterationNoBuffer = 3,
}

/** Envoy's `Http::FilterTrailersStatus` / `Network::FilterStatus`. */
export enum FilterStatus {
  Continue = 0,
  StopIteration = 1,
}

export enum GrpcStatus {
  Ok = 0,
  Canceled = 1,
  Unknown = 2,
  InvalidArgument = 3,
  DeadlineExceeded = 4,
  NotFound = 5,
  AlreadyExists = 6,
  PermissionDenied = 7,
  ResourceExhausted = 8,
  FailedPrecondition = 9,
  Aborted = 10,
  OutOfRange = 11,
  Unimplemented = 12,
  Internal = 13,
  Unavailable = 14,
  DataLoss = 15,
  Unauthenticated = 16,
}

/** The ABI versions a module can declare through its marker export. */
export type AbiVersion = "0.1.0" | "0.2.0" | "0.2.1";

export const LOG_LEVEL_NAMES = ["trace", "debug", "info", "warn", "error", "critical"] as const;
export type LogLevelName = (typeof LOG_LEVEL_NAMES)[number];

/** Accepts a level name ("info"), its number, or the enum. */
export function toLogLevel(level: LogLevelName | "off" | number): number {
  if (typeof level === "number") return level;
  if (level === "off") return LogLevel.Off;
  const i = LOG_LEVEL_NAMES.indexOf(level);
  if (i < 0) throw new Error(`unknown log level "${level}"`);
  return i;
}
