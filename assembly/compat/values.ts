// The ABI enumerations under the names and member names of @solo-io/proxy-runtime (`*Values`),
// for code written for it. The SDK's own names are in ../abi/enums.ts; the values are the same.
/** What a hostcall returned. Every wrapper hands this back instead of trapping. */
export enum WasmResultValues {
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
export enum LogLevelValues {
  trace = 0,
  debug = 1,
  info = 2,
  warn = 3,
  error = 4,
  critical = 5,
  /** Reported by `proxy_get_log_level` when logging is switched off. */
  off = 6,
}

/** What an HTTP headers callback tells the host. */
export enum FilterHeadersStatusValues {
  Continue = 0,
  /** Pause the stream (Envoy stops all iteration and watermarks); resume with `continueRequest()`. */
  StopIteration = 1,
  ContinueAndEndStream = 2,
  StopAllIterationAndBuffer = 3,
  StopAllIterationAndWatermark = 4,
}

/** What an HTTP body callback tells the host. */
export enum FilterDataStatusValues {
  Continue = 0,
  /** Hold this chunk; the next body callback sees everything buffered so far. */
  StopIterationAndBuffer = 1,
  StopIterationAndWatermark = 2,
  /** Hold this chunk without buffering it. */
  StopIterationNoBuffer = 3,
}

/** What an HTTP trailers callback tells the host. */
export enum FilterTrailersStatusValues {
  Continue = 0,
  StopIteration = 1,
}

/** What an HTTP metadata callback tells the host (Envoy ignores it). */
export enum FilterMetadataStatusValues {
  Continue = 0,
}

/** What a TCP callback tells the host. */
export enum FilterStatusValues {
  Continue = 0,
  StopIteration = 1,
}

/** Which side closed a TCP connection. */
export enum PeerTypeValues {
  Unknown = 0,
  Local = 1,
  Remote = 2,
}

/** The host buffers a filter can read and, for bodies and TCP data, write. */
export enum BufferTypeValues {
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
export enum HeaderMapTypeValues {
  RequestHeaders = 0,
  RequestTrailers = 1,
  ResponseHeaders = 2,
  ResponseTrailers = 3,
  GrpcReceiveInitialMetadata = 4,
  GrpcReceiveTrailingMetadata = 5,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
}

/** The stream a continue or close applies to. */
export enum StreamTypeValues {
  Request = 0,
  Response = 1,
  Downstream = 2,
  Upstream = 3,
}

/** Metric kinds. */
export enum MetricTypeValues {
  Counter = 0,
  Gauge = 1,
  Histogram = 2,
}

/** gRPC status codes; `InvalidCode` means "none" in local replies. */
export enum GrpcStatusValues {
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
