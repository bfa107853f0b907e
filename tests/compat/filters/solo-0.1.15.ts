// A filter written for @solo-io/proxy-runtime 0.1.15: each request waits for an HTTP callout to
// the "auth" cluster, gets the reply's x-auth header, and the reply body is kept in shared data.
export * from "@solo-io/proxy-runtime/proxy";
import {
  BaseContext,
  BufferTypeValues,
  Context,
  FilterHeadersStatusValues,
  Headers,
  RootContext,
  WasmResultValues,
  continue_request,
  get_buffer_bytes,
  makeHeaderPair,
  registerRootContext,
  set_shared_data,
  stream_context,
} from "@solo-io/proxy-runtime";

class AuthRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new AuthFilter(context_id, this);
  }
}

class AuthFilter extends Context {
  constructor(context_id: u32, root_context: AuthRoot) {
    super(context_id, root_context);
  }

  onRequestHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    const headers: Headers = [
      makeHeaderPair(":method", "GET"),
      makeHeaderPair(":path", "/check"),
      makeHeaderPair(":authority", "auth"),
      makeHeaderPair("x-user", stream_context.headers.request.get("x-user")),
    ];
    const result = this.root_context.httpCall(
      "auth",
      headers,
      new ArrayBuffer(0),
      [],
      1000,
      this,
      (origin_context: BaseContext, headers: u32, body_size: usize, trailers: u32): void => {
        const verdict = stream_context.headers.http_callback.get("x-auth");
        const body = get_buffer_bytes(BufferTypeValues.HttpCallResponseBody, 0, <u32>body_size);
        set_shared_data("last_auth_body", body);
        stream_context.headers.request.replace("x-auth", verdict);
        continue_request();
      },
    );
    if (result != WasmResultValues.Ok) return FilterHeadersStatusValues.Continue;
    return FilterHeadersStatusValues.StopIteration;
  }
}

registerRootContext((context_id: u32) => new AuthRoot(context_id), "auth");
