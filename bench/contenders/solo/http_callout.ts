// http_callout for @solo-io/proxy-runtime 0.1.8: pause each request on an HTTP call to
// "auth", copy the reply's x-auth onto the request, resume.
export * from "@solo-io/proxy-runtime/proxy";
import {
  Context,
  FilterHeadersStatusValues,
  Headers,
  RootContext,
  WasmResultValues,
  continue_request,
  HeaderPair,
  registerRootContext,
  stream_context,
} from "@solo-io/proxy-runtime";

function pair(key: string, value: string): HeaderPair {
  return new HeaderPair(String.UTF8.encode(key), String.UTF8.encode(value));
}

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
      pair(":method", "GET"),
      pair(":path", "/check"),
      pair(":authority", "auth"),
    ];
    const result = this.root_context.httpCall(
      "auth",
      call,
      new ArrayBuffer(0),
      [],
      1000,
      this,
      (origin: Context, headers: u32, body_size: usize, trailers: u32): void => {
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
