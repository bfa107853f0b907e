// http_callout for @gcoredev/proxy-wasm-sdk-as 1.2.3: pause each request on an HTTP call to
// "auth", copy the reply's x-auth onto the request, resume.
export * from "@gcoredev/proxy-wasm-sdk-as/assembly/proxy";
import {
  BaseContext,
  Context,
  FilterHeadersStatusValues,
  Headers,
  RootContext,
  WasmResultValues,
  continue_request,
  makeHeaderPair,
  registerRootContext,
  stream_context,
} from "@gcoredev/proxy-wasm-sdk-as/assembly";

class CalloutRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new Callout(context_id, this);
  }
}

class Callout extends Context {
  constructor(context_id: u32, root_context: CalloutRoot) {
    super(context_id, root_context);
  }
  onRequestHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    const call: Headers = [
      makeHeaderPair(":method", "GET"),
      makeHeaderPair(":path", "/check"),
      makeHeaderPair(":authority", "auth"),
    ];
    const result = this.root_context.httpCall(
      "auth",
      call,
      new ArrayBuffer(0),
      [],
      1000,
      this,
      (origin: BaseContext, headers: u32, body_size: usize, trailers: u32): void => {
        const verdict = stream_context.headers.http_callback.get("x-auth");
        stream_context.headers.request.replace("x-auth", verdict);
        continue_request();
      },
    );
    if (result != WasmResultValues.Ok) return FilterHeadersStatusValues.Continue;
    return FilterHeadersStatusValues.StopIteration;
  }
}

registerRootContext((context_id: u32) => new CalloutRoot(context_id), "http_callout");
