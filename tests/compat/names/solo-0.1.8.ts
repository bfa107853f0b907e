// Every name @solo-io/proxy-runtime 0.1.8 exports (tests/compat/packages/solo-0.1.8.names.txt),
// used with that release's signatures. tests/compat/names.test.ts compiles it through the compat
// entries and checks that the imports below cover the list.
export * from "@solo-io/proxy-runtime/proxy";
import {
  BaseContext,
  Context,
  Counter,
  FilterDataStatusValues,
  FilterHeadersStatusValues,
  FilterMetadataStatusValues,
  FilterStatusValues,
  FilterTrailersStatusValues,
  Gauge,
  GrpcStatusValues,
  HeaderPair,
  Headers,
  Histogram,
  HttpCallback,
  LogLevelValues,
  RootContext,
  WasmResultValues,
  continue_request,
  continue_response,
  log,
  proxy_set_effective_context,
  registerRootContext,
  send_local_response,
  stream_context,
} from "@solo-io/proxy-runtime";
import {
  BufferFlagsValues,
  BufferTypeValues,
  HeaderMapTypeValues,
  MetricTypeValues,
  PeerTypeValues,
  Reference,
  StreamTypeValues,
  abort_proc_exit,
  add_header_map_value,
  add_header_map_value_string,
  clear_route_cache,
  define_metric,
  deleteContext,
  dequeue_shared_queue,
  done,
  enqueue_shared_queue,
  ensureContext,
  ensureRootContext,
  getBaseContext,
  getContext,
  getRootContext,
  get_buffer_bytes,
  get_buffer_status,
  get_current_time_nanoseconds,
  get_header_map_size,
  get_header_map_value,
  get_metric,
  get_property,
  get_shared_data,
  get_status,
  increment_metric,
  record_metric,
  register_shared_queue,
  remove_header_map_value,
  remove_header_map_value_string,
  replace_header_map_value,
  replace_header_map_value_string,
  resolve_shared_queue,
  set_property,
  set_shared_data,
  set_tick_period_milliseconds,
  BaseContext as RuntimeBaseContext,
  Context as RuntimeContext,
  Counter as RuntimeCounter,
  FilterDataStatusValues as RuntimeFilterDataStatusValues,
  FilterHeadersStatusValues as RuntimeFilterHeadersStatusValues,
  FilterMetadataStatusValues as RuntimeFilterMetadataStatusValues,
  FilterStatusValues as RuntimeFilterStatusValues,
  FilterTrailersStatusValues as RuntimeFilterTrailersStatusValues,
  Gauge as RuntimeGauge,
  GrpcStatusValues as RuntimeGrpcStatusValues,
  HeaderPair as RuntimeHeaderPair,
  Headers as RuntimeHeaders,
  Histogram as RuntimeHistogram,
  HttpCallback as RuntimeHttpCallback,
  LogLevelValues as RuntimeLogLevelValues,
  RootContext as RuntimeRootContext,
  WasmResultValues as RuntimeWasmResultValues,
  continue_request as runtime_continue_request,
  continue_response as runtime_continue_response,
  log as runtime_log,
  proxy_set_effective_context as runtime_proxy_set_effective_context,
  registerRootContext as runtimeRegisterRootContext,
  send_local_response as runtime_send_local_response,
  stream_context as runtime_stream_context,
} from "@solo-io/proxy-runtime/assembly/runtime";

class NamesRoot extends RootContext {
  constructor(context_id: u32) {
    super(context_id);
  }
  createContext(context_id: u32): Context {
    return new NamesStream(context_id, this);
  }
  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    log(
      LogLevelValues.info,
      "config " + this.getConfiguration() + " " + this.context_id.toString(),
    );
    return true;
  }
}

class NamesStream extends Context {
  constructor(context_id: u32, root_context: NamesRoot) {
    super(context_id, root_context);
  }
  onRequestHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    const headers: Headers = [new HeaderPair(String.UTF8.encode("k"), String.UTF8.encode("v"))];
    const pairs: RuntimeHeaders = [new RuntimeHeaderPair(new ArrayBuffer(1), new ArrayBuffer(1))];
    stream_context.headers.request.add("a", stream_context.headers.request.get(":path"));
    runtime_stream_context.headers.response.replace("b", "c");
    stream_context.headers.http_callback.remove("d");
    stream_context.trailers.request.set_headers(stream_context.trailers.request.get_headers());
    this.root_context.httpCall(
      "cluster",
      headers,
      new ArrayBuffer(0),
      pairs,
      1000,
      this,
      (origin_context: Context, headers: u32, body_size: usize, trailers: u32): void => {
        origin_context.continueRequest();
      },
    );
    if (a == 0) return FilterHeadersStatusValues.StopIteration;
    return <FilterHeadersStatusValues>RuntimeFilterHeadersStatusValues.Continue;
  }
  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatusValues {
    return RuntimeFilterDataStatusValues.StopIterationAndBuffer;
  }
  onRequestTrailers(a: u32): FilterTrailersStatusValues {
    return RuntimeFilterTrailersStatusValues.Continue;
  }
  onRequestMetadata(a: u32): FilterMetadataStatusValues {
    return RuntimeFilterMetadataStatusValues.Continue;
  }
  onNewConnection(): FilterStatusValues {
    return RuntimeFilterStatusValues.Continue;
  }
  onDownstreamConnectionClose(t: PeerTypeValues): void {}
}

class RuntimeRoot extends RuntimeRootContext {
  createContext(context_id: u32): RuntimeContext {
    return new RuntimeContext(context_id, this);
  }
}

/** Calls every function with 0.1.8's signatures. */
export function useEveryName(base: BaseContext, other: RuntimeBaseContext): void {
  const counter = new Counter("c");
  counter.increment(1);
  const gauge = new Gauge("g");
  gauge.increment(-1);
  gauge.record(gauge.metric_id, 3);
  const histogram = new Histogram("h");
  histogram.record(histogram.metric_id, 7);
  new RuntimeCounter("rc").increment(2);
  new RuntimeGauge("rg").increment(1);
  new RuntimeHistogram("rh").increment(1);
  const callback = new HttpCallback(base, (o: BaseContext, h: u32, b: usize, t: u32): void => {});
  const again = new RuntimeHttpCallback(other, callback.cb);
  log(LogLevelValues.debug, again.origin_context.context_id.toString());
  runtime_log(RuntimeLogLevelValues.warn, "w");
  let result: WasmResultValues = continue_request();
  result = continue_response();
  result = runtime_continue_request();
  result = runtime_continue_response();
  result = proxy_set_effective_context(1);
  result = runtime_proxy_set_effective_context(1);
  result = send_local_response(403, "denied", new ArrayBuffer(0), [], GrpcStatusValues.InvalidCode);
  result = runtime_send_local_response(
    200,
    "ok",
    new ArrayBuffer(0),
    [],
    RuntimeGrpcStatusValues.Ok,
  );
  if (result == RuntimeWasmResultValues.Ok) log(LogLevelValues.info, "ok");
  const flags: u32 = BufferFlagsValues.EndOfStream;
  const body = get_buffer_bytes(BufferTypeValues.HttpRequestBody, 0, 10);
  const status = get_buffer_status(BufferTypeValues.HttpResponseBody);
  log(LogLevelValues.info, (status.length + status.flags + flags + body.byteLength).toString());
  add_header_map_value(HeaderMapTypeValues.RequestHeaders, body, body);
  add_header_map_value_string(HeaderMapTypeValues.ResponseHeaders, "k", "v");
  const value: ArrayBuffer = get_header_map_value(HeaderMapTypeValues.RequestHeaders, body);
  replace_header_map_value(HeaderMapTypeValues.RequestHeaders, value, value);
  replace_header_map_value_string(HeaderMapTypeValues.RequestHeaders, "k", "v");
  remove_header_map_value(HeaderMapTypeValues.RequestTrailers, value);
  remove_header_map_value_string(HeaderMapTypeValues.ResponseTrailers, "k");
  const size: usize = get_header_map_size(HeaderMapTypeValues.HttpCallResponseHeaders);
  const metric = define_metric(MetricTypeValues.Counter, "m");
  increment_metric(metric.metric_id, 1);
  record_metric(metric.metric_id, 2);
  const data = get_metric(metric.metric_id);
  log(LogLevelValues.info, (data.data + <u64>size).toString());
  const queue = register_shared_queue("q");
  resolve_shared_queue("vm", "q");
  enqueue_shared_queue(queue.token, body);
  const item = dequeue_shared_queue(queue.token);
  if (item.result == WasmResultValues.Ok) log(LogLevelValues.info, "item");
  set_shared_data("key", body);
  const shared = get_shared_data("key");
  if (shared.value !== null) log(LogLevelValues.info, "shared");
  const now: u64 = get_current_time_nanoseconds();
  set_tick_period_milliseconds(<u32>(now % 1000));
  const property: ArrayBuffer = get_property("request.path");
  set_property("x", property);
  const callStatus = get_status();
  log(LogLevelValues.info, callStatus.status.toString() + String.UTF8.decode(callStatus.data));
  clear_route_cache();
  done();
  // Member names of 0.1.8's enums that differ from the SDK's.
  const members: i32[] = [
    BufferTypeValues.NetworkDownstreamData,
    BufferTypeValues.NetworkUpstreamData,
    BufferTypeValues.MAX,
    HeaderMapTypeValues.MAX,
    StreamTypeValues.MAX,
    GrpcStatusValues.MaximumValid,
    LogLevelValues.critical,
  ];
  log(LogLevelValues.info, members.length.toString());
  const stream_type: u32 = StreamTypeValues.Request;
  const cell = new Reference<u32>();
  cell.data = stream_type;
  log(LogLevelValues.info, cell.ptr().toString());
  ensureContext(2, 1);
  const root: RootContext = ensureRootContext(1);
  const found: BaseContext = getBaseContext(2);
  const stream: Context = getContext(2);
  const same: RootContext = getRootContext(1);
  log(LogLevelValues.info, (root.context_id + same.context_id + stream.context_id).toString());
  if (found != null) deleteContext(2);
  if (now == 0) abort_proc_exit("never", null, 0, 0);
}

registerRootContext((context_id: u32) => new NamesRoot(context_id), "names");
runtimeRegisterRootContext((context_id: u32) => {
  return new RuntimeRoot(context_id);
}, "runtime_names");
