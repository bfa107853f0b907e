// Workload http_callout, our SDK: every request is paused while an HTTP call goes to the
// "auth" cluster; the reply's x-auth header is copied onto the request, which then resumes.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  HeaderPair,
  Headers,
  RootContext,
  httpCallResponseHeaders,
  registerRootContext,
  requestHeaders,
} from "proxy-wasm-as";

/** A header value, or "" when the header is absent. */
function orEmpty(value: string | null): string {
  return value !== null ? value : "";
}

class CalloutRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new Callout(contextId, this);
  }
}

class Callout extends Context {
  onRequestHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const call: Headers = [
      HeaderPair.of(":method", "GET"),
      HeaderPair.of(":path", "/check"),
      HeaderPair.of(":authority", "auth"),
    ];
    if (!this.dispatchHttpCall("auth", call, null, [], 1000).ok)
      return FilterHeadersStatus.Continue;
    return FilterHeadersStatus.StopIteration;
  }

  onHttpCallResponse(token: u32, num_headers: u32, body_size: usize, num_trailers: u32): void {
    const verdict = orEmpty(httpCallResponseHeaders.get("x-auth"));
    requestHeaders.replace("x-auth", verdict);
    this.continueRequest();
  }
}

registerRootContext((contextId: u32) => new CalloutRoot(contextId), "http_callout");
