// Every name @solo-io/proxy-runtime 0.1.15 exports (tests/compat/packages/solo-0.1.15.names.txt),
// used with that release's signatures. tests/compat/names.test.ts compiles it through the compat
// entries and checks that the imports below cover the list.
export * from "@solo-io/proxy-runtime/proxy";
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
  get_property,
  get_shared_data,
  log,
  makeHeaderPair,
  proxy_set_effective_context,
  registerRootContext,
  register_shared_queue,
  resolve_shared_queue,
  send_local_response,
  set_property,
  set_shared_data,
  set_tick_period_milliseconds,
  stream_context,
} from "@solo-io/proxy-runtime";

class Singleton extends RootContext {
  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    set_tick_period_milliseconds(1000);
    return true;
  }
  onTick(): void {
    const h: Headers = [makeHeaderPair(":path", "/fetch"), makeHeaderPair(":method", "GET")];
    this.httpCall(
      this.getConfiguration(),
      h,
      new ArrayBuffer(0),
      [],
      1000,
      this,
      (origin_context: BaseContext, headers: u32, body_size: usize, trailers: u32): void => {
        const bytes = get_buffer_bytes(BufferTypeValues.HttpCallResponseBody, 0, <u32>body_size);
        set_shared_data("data", bytes);
      },
    );
  }
  onQueueReady(token: u32): void {
    const item = dequeue_shared_queue(token);
    if (item.result == WasmResultValues.Ok && item.data !== null) log(LogLevelValues.info, "item");
  }
}

class Root extends RootContext {
  token: string = "";
  createContext(context_id: u32): Context {
    return new Stream(context_id, this);
  }
  onTick(): void {
    const data = get_shared_data("data");
    if (data.result != WasmResultValues.Ok) return;
    const bytes = data.value;
    if (bytes !== null) this.token = String.UTF8.decode(bytes) + data.cas.toString();
  }
}

class Stream extends Context {
  constructor(context_id: u32, root_context: Root) {
    super(context_id, root_context);
  }
  onRequestHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    const root_context = this.root_context as Root;
    if (stream_context.headers.request.get("x-auth") == root_context.token) {
      return FilterHeadersStatusValues.Continue;
    }
    send_local_response(401, "not authorized", new ArrayBuffer(0), [], GrpcStatusValues.Internal);
    return FilterHeadersStatusValues.StopIteration;
  }
  onResponseBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatusValues {
    return FilterDataStatusValues.Continue;
  }
  onResponseTrailers(a: u32): FilterTrailersStatusValues {
    return FilterTrailersStatusValues.Continue;
  }
  onResponseMetadata(a: u32): FilterMetadataStatusValues {
    return FilterMetadataStatusValues.Continue;
  }
  onUpstreamData(size: usize, end: bool): FilterStatusValues {
    return FilterStatusValues.Continue;
  }
}

/** Calls every remaining function with 0.1.15's signatures. */
export function useEveryName(base: BaseContext): void {
  new Counter("c").increment(1);
  new Gauge("g").increment(1);
  new Histogram("h").record(0, 1);
  const pair = new HeaderPair(new ArrayBuffer(1), new ArrayBuffer(2));
  log(LogLevelValues.debug, pair.toString());
  const callback = new HttpCallback(base, (o: BaseContext, h: u32, b: usize, t: u32): void => {});
  log(LogLevelValues.debug, callback.origin_context.context_id.toString());
  continue_request();
  continue_response();
  proxy_set_effective_context(base.context_id);
  const queue = register_shared_queue("q");
  const other = resolve_shared_queue("vm", "q");
  enqueue_shared_queue(other.token + queue.token, new ArrayBuffer(1));
  const path = get_property("request.path");
  set_property("copy", path);
  const compressed: ArrayBuffer = call_foreign_function("compress", "text");
  log(LogLevelValues.info, compressed.byteLength.toString());
}

registerRootContext((context_id: u32) => {
  return new Root(context_id);
}, "auth");
registerRootContext((context_id: u32) => {
  return new Singleton(context_id);
}, "auth_singleton");
