// Workload http_callout, our SDK: every request is paused while an HTTP call goes to the
// "auth" cluster; the reply's x-auth header is copied onto the request, which then resumes.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  Headers,
  HeaderPair,
  RootContext,
  WasmResult,
  http_call_response_headers,
  registerRootContext,
  stream_context,
} from "proxy-wasm-as";

class CalloutRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new Callout(context_id, this);
  }
}

class Callout extends Context {
  onRequestHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const call: Headers = [
      HeaderPair.of(":method", "GET"),
      HeaderPair.of(":path", "/check"),
      HeaderPair.of(":authority", "auth"),
    ];
    const result = this.dispatchHttpCall("auth", call, null, [], 1000);
    if (result != WasmResult.Ok) return FilterHeadersStatus.Continue;
    return FilterHeadersStatus.StopIteration;
  }

  onHttpCallResponse(token: u32, num_headers: u32, body_size: usize, num_trailers: u32): void {
    const verdict = http_call_response_headers.get("x-auth");
    stream_context.headers.request.replace("x-auth", verdict);
    this.continueRequest();
  }
}

registerRootContext((context_id: u32) => new CalloutRoot(context_id), "http_callout");
