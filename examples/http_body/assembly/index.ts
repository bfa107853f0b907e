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
  requestBody,
  requestHeaders,
  responseBody,
  responseHeaders,
} from "proxy-wasm-as";

class HttpBodyRoot extends RootContext {
  from: string = "";
  to: string = "";

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
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

  createContext(contextId: u32): Context {
    return new HttpBody(contextId, this);
  }
}

class HttpBody extends Context {
  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    // The rewritten body may have another length: drop content-length so Envoy sends it chunked.
    if (!endOfStream) requestHeaders.remove("content-length");
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(bodyBufferLength: usize, endOfStream: bool): FilterDataStatus {
    // Not the end yet: keep this chunk; the next call sees it together with the next chunk.
    if (!endOfStream) return FilterDataStatus.StopIterationAndBuffer;
    this.rewrite(requestBody, "request", bodyBufferLength);
    return FilterDataStatus.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    if (!endOfStream) responseHeaders.remove("content-length");
    return FilterHeadersStatus.Continue;
  }

  onResponseBody(bodyBufferLength: usize, endOfStream: bool): FilterDataStatus {
    if (!endOfStream) return FilterDataStatus.StopIterationAndBuffer;
    this.rewrite(responseBody, "response", bodyBufferLength);
    return FilterDataStatus.Continue;
  }

  /** Replaces every configured word in the complete `body` and logs what it did. */
  rewrite(body: Buffer, what: string, size: usize): void {
    const root = this.rootContext as HttpBodyRoot;
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

registerRootContext((contextId: u32) => new HttpBodyRoot(contextId), "http_body");
