// Every name @gcoredev/proxy-wasm-sdk-as 1.2.3 exports (tests/compat/packages/gcore-1.2.3.names.txt),
// used with that release's signatures. tests/compat/names.test.ts compiles it through the compat
// entries and checks that the imports below cover the list.
export * from "@gcoredev/proxy-wasm-sdk-as/assembly/proxy";
import {
  BaseContext,
  BufferTypeValues,
  Context,
  Counter,
  FilterDataStatusValues,
  FilterHeadersStatusValues,
  FilterMetadataStatusValues,
  FilterStatusValues,
  FilterTrailersStatusValues,
  Gauge,
  GetSharedData,
  GrpcStatusValues,
  HeaderPair,
  Headers,
  Histogram,
  HttpCallback,
  LogLevelValues,
  RootContext,
  WasmResultValues,
  call_foreign_function,
  continue_request,
  continue_response,
  dequeue_shared_queue,
  enqueue_shared_queue,
  get_buffer_bytes,
  get_current_time_nanoseconds,
  get_property,
  get_shared_data,
  log,
  makeHeaderPair,
  proxy_set_effective_context,
  registerRootContext,
  register_shared_queue,
  resolve_shared_queue,
  send_http_response,
  send_local_response,
  set_buffer_bytes,
  set_property,
  set_shared_data,
  set_tick_period_milliseconds,
  stream_context,
} from "@gcoredev/proxy-wasm-sdk-as/assembly";
import {
  ItemParser,
  KvStore,
  LogLevelValues as FastEdgeLogLevel,
  StringParser,
  ValueScoreTuple,
  getCurrentTime,
  getDictionary,
  getEnv,
  getEnvVar,
  getSecret,
  getSecretEffectiveAt,
  getSecretVar,
  getSecretVarEffectiveAt,
  log as fastEdgeLog,
  parseBufferToList,
  setLogLevel,
} from "@gcoredev/proxy-wasm-sdk-as/assembly/fastedge";

class NamesRoot extends RootContext {
  createContext(context_id: u32): Context {
    setLogLevel(FastEdgeLogLevel.debug);
    return new NamesStream(context_id, this);
  }
  onHttpCallResponse(token: u32, headers: u32, body_size: u32, trailers: u32): void {
    const userAgent = stream_context.headers.http_callback.get("user-agent");
    if (userAgent !== "") log(LogLevelValues.info, "User-Agent: " + userAgent);
  }
}

class NamesStream extends Context {
  constructor(context_id: u32, root_context: NamesRoot) {
    super(context_id, root_context);
  }
  onRequestHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    const headers: Headers = [makeHeaderPair(":method", "GET"), makeHeaderPair(":path", "/")];
    const result = this.root_context.httpCall(
      "cluster",
      headers,
      new ArrayBuffer(0),
      [],
      1000,
      this,
      (ctx: BaseContext, hdrs: u32, bodySize: usize, trls: u32): void => {
        const body = get_buffer_bytes(BufferTypeValues.HttpCallResponseBody, 0, <u32>bodySize);
        log(LogLevelValues.info, body.byteLength.toString());
        continue_request();
      },
    );
    if (result != WasmResultValues.Ok) return FilterHeadersStatusValues.Continue;
    return FilterHeadersStatusValues.StopIteration;
  }
  onResponseBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatusValues {
    if (!end_of_stream) return FilterDataStatusValues.StopIterationAndBuffer;
    set_buffer_bytes(
      BufferTypeValues.HttpResponseBody,
      0,
      <u32>body_buffer_length,
      new ArrayBuffer(2),
    );
    return FilterDataStatusValues.Continue;
  }
  onRequestTrailers(a: u32): FilterTrailersStatusValues {
    return FilterTrailersStatusValues.Continue;
  }
  onRequestMetadata(a: u32): FilterMetadataStatusValues {
    return FilterMetadataStatusValues.Continue;
  }
  onDownstreamData(size: usize, end: bool): FilterStatusValues {
    return FilterStatusValues.Continue;
  }
}

class Length {
  constructor(public bytes: u32) {}
}

class Lengths extends ItemParser<Length> {
  parseItem(buffer: ArrayBuffer, dataIndex: u32, itemSize: u32): Length | null {
    return itemSize > 0 ? new Length(itemSize) : null;
  }
  createEmptyArray(): Array<Length> {
    return new Array<Length>();
  }
}

/** Calls every remaining function with 1.2.3's signatures. */
export function useEveryName(base: BaseContext): void {
  new Counter("c").increment(1);
  new Gauge("g").increment(1);
  new Histogram("h").record(0, 1);
  const pair: HeaderPair = makeHeaderPair("k", "v");
  const callback = new HttpCallback(base, (o: BaseContext, h: u32, b: usize, t: u32): void => {});
  log(LogLevelValues.debug, pair.toString() + callback.origin_context.context_id.toString());
  continue_response();
  proxy_set_effective_context(base.context_id);
  send_local_response(403, "no", new ArrayBuffer(0), [pair], GrpcStatusValues.InvalidCode);
  send_http_response(401, "unauthorized", String.UTF8.encode("no"), [pair]);
  const shared: GetSharedData = get_shared_data("k");
  set_shared_data("k", new ArrayBuffer(1), shared.cas);
  const queue = register_shared_queue("q");
  const other = resolve_shared_queue("vm", "q");
  enqueue_shared_queue(queue.token, new ArrayBuffer(1));
  const item = dequeue_shared_queue(other.token);
  if (item.data !== null) log(LogLevelValues.info, "item");
  set_property("x", get_property("request.path"));
  set_tick_period_milliseconds(1000);
  const now: u64 = get_current_time_nanoseconds() + getCurrentTime();
  fastEdgeLog(FastEdgeLogLevel.info, now.toString());
  const foreign: ArrayBuffer = call_foreign_function("f", "a");
  const text =
    getEnv("A") +
    getEnvVar("B") +
    getDictionary("C") +
    getSecret("D") +
    getSecretEffectiveAt("E", 1) +
    getSecretVar("F") +
    getSecretVarEffectiveAt("G", 2);
  log(LogLevelValues.info, text + foreign.byteLength.toString());
  const store = KvStore.open("store");
  if (store !== null) {
    const value = store.get("k");
    const keys: string[] = store.scan("k*");
    const range: ValueScoreTuple[] = store.zrangeByScore("z", 0, 10);
    const members = store.zscan("z", "m*");
    const exists: bool = store.bfExists("b", "i");
    log(
      LogLevelValues.info,
      keys.length.toString() +
        range.length.toString() +
        members.length.toString() +
        exists.toString() +
        store.getHandle().toString(),
    );
    if (value !== null) {
      const strings = parseBufferToList<string>(value, new StringParser());
      const lengths = parseBufferToList<Length>(value, new Lengths());
      log(LogLevelValues.info, strings.length.toString() + lengths.length.toString());
    }
  }
}

registerRootContext((context_id: u32) => {
  return new NamesRoot(context_id);
}, "names");
