// The ABI's enumerations with Envoy's numbering (docs/abi.md §5), named as the host emulator
// (src/host/enums.ts) and the Rust SDK name them. Code written for @solo-io/proxy-runtime gets its
// `*Values` names from assembly/compat/values.ts.

/** What a hostcall returned. Every wrapper hands this back instead of trapping. */
export enum WasmResult {
  Ok = 0,
  /** The key, buffer, queue or property does not exist. */
  NotFound = 1,
  /** An argument was out of range, or the map or buffer is not available now. */
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  BadExpression = 5,
  InvalidMemoryAccess = 6,
  /** The queue had nothing to dequeue. */
  Empty = 7,
  /** Shared data changed since it was read (compare-and-swap failed). */
  CasMismatch = 8,
  ResultMismatch = 9,
  InternalFailure = 10,
  BrokenConnection = 11,
  Unimplemented = 12,
}

/** Host log levels, lowest first. */
export enum LogLevel {
  Trace = 0,
  Debug = 1,
  Info = 2,
  Warn = 3,
  Error = 4,
  Critical = 5,
  /** Reported by `proxy_get_log_level` when logging is switched off. */
  Off = 6,
}

/** What an HTTP headers callback tells the host. */
export enum FilterHeadersStatus {
  Continue = 0,
  /** Pause the stream (Envoy stops all iteration and watermarks); resume with `continueRequest()`. */
  StopIteration = 1,
  ContinueAndEndStream = 2,
  StopAllIterationAndBuffer = 3,
  StopAllIterationAndWatermark = 4,
}

/** What an HTTP body callback tells the host. */
export enum FilterDataStatus {
  Continue = 0,
  /** Hold this chunk; the next body callback sees everything buffered so far. */
  StopIterationAndBuffer = 1,
  StopIterationAndWatermark = 2,
  /** Hold this chunk without buffering it. */
  StopIterationNoBuffer = 3,
}

/** What an HTTP trailers callback tells the host. */
export enum FilterTrailersStatus {
  Continue = 0,
  StopIteration = 1,
}

/** What an HTTP metadata callback tells the host (Envoy ignores it). */
export enum FilterMetadataStatus {
  Continue = 0,
}

/** What a TCP callback tells the host. */
export enum FilterStatus {
  Continue = 0,
  StopIteration = 1,
}

/** Which side closed a TCP connection. */
export enum PeerType {
  Unknown = 0,
  Local = 1,
  Remote = 2,
}

/** The host buffers a filter can read and, for bodies and TCP data, write. */
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

/** The host header and metadata maps. */
export enum HeaderMapType {
  HttpRequestHeaders = 0,
  HttpRequestTrailers = 1,
  HttpResponseHeaders = 2,
  HttpResponseTrailers = 3,
  GrpcReceiveInitialMetadata = 4,
  GrpcReceiveTrailingMetadata = 5,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
}

/** The stream a continue or close applies to. */
export enum StreamType {
  HttpRequest = 0,
  HttpResponse = 1,
  Downstream = 2,
  Upstream = 3,
}

/** Metric kinds. */
export enum MetricType {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}

/** gRPC status codes; `InvalidCode` means "none" in local replies. */
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
  InvalidCode = -1,
}
