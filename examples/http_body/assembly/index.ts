// http_body: read and rewrite whole request and response bodies. Envoy hands a body over in
// chunks; answering StopIterationAndBuffer keeps them until the last one, so the filter sees
// (and rewrites) the complete body at once, even a word split across two chunks.
//
// Configuration (JSON): {"from": "ping", "to": "pong"} — every "from" in either body becomes "to".
export * from "proxy-wasm-as/proxy";
import {
  Buffer,
  Context,
  FilterDataStatus,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  log,
  parseJsonObject,
  registerRootContext,
  stream_body,
  stream_context,
} from "proxy-wasm-as";

class HttpBodyRoot extends RootContext {
  from: string = "";
  to: string = "";

  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    const config = parseJsonObject(this.getConfiguration(), "http_body configuration");
    if (config === null) return false;
    const from = config.getString("from");
    const to = config.getString("to");
    if (from === null || from.valueOf() == "" || to === null) {
      log(LogLevel.Error, 'http_body configuration needs a non-empty "from" and a "to" string');
      return false;
    }
    this.from = from.valueOf();
    this.to = to.valueOf();
    return true;
  }

  createContext(context_id: u32): Context {
    return new HttpBody(context_id, this);
  }
}

class HttpBody extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    // The rewritten body may have another length: drop content-length so Envoy sends it chunked.
    if (!end_of_stream) stream_context.headers.request.remove("content-length");
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    // Not the end yet: keep this chunk; the next call sees it together with the next chunk.
    if (!end_of_stream) return FilterDataStatus.StopIterationAndBuffer;
    this.rewrite(stream_body.request, "request", body_buffer_length);
    return FilterDataStatus.Continue;
  }

  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    if (!end_of_stream) stream_context.headers.response.remove("content-length");
    return FilterHeadersStatus.Continue;
  }

  onResponseBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    if (!end_of_stream) return FilterDataStatus.StopIterationAndBuffer;
    this.rewrite(stream_body.response, "response", body_buffer_length);
    return FilterDataStatus.Continue;
  }

  /** Replaces every configured word in the complete `body` and logs what it did. */
  rewrite(body: Buffer, what: string, size: usize): void {
    const root = this.root_context as HttpBodyRoot;
    const text = body.getString();
    if (text === null) return;
    const count = text.split(root.from).length - 1;
    if (count > 0) body.replaceString(text.replaceAll(root.from, root.to));
    log(
      LogLevel.Info,
      what + " body: " + size.toString() + " bytes, " + count.toString() + " replaced",
    );
  }
}

registerRootContext((context_id: u32) => new HttpBodyRoot(context_id), "http_body");
