// http_headers: read, log, add, replace and remove HTTP headers on both directions.
//
// Configuration (JSON): {"header": "x-greeting", "value": "hello"} — a header added to every
// response. Both fields are required strings.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  isLogEnabled,
  log,
  parseJsonObject,
  registerRootContext,
  requestHeaders,
  responseHeaders,
} from "proxy-wasm-as";

class HttpHeadersRoot extends RootContext {
  header: string = "";
  value: string = "";

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
    const config = parseJsonObject(this.getConfiguration(), "http_headers configuration");
    if (config === null) return false; // parseJsonObject logged what is wrong
    const header = config.getString("header");
    const value = config.getString("value");
    if (header === null || header.valueOf() == "" || value === null) {
      log(LogLevel.Error, 'http_headers configuration needs "header" and "value" strings');
      return false;
    }
    this.header = header.valueOf();
    this.value = value.valueOf();
    return true;
  }

  createContext(contextId: u32): Context {
    return new HttpHeaders(contextId, this);
  }
}

class HttpHeaders extends Context {
  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const request = requestHeaders;
    const headers = request.getAll();
    if (headers === null) return FilterHeadersStatus.Continue; // not readable here
    // Build the log lines only when someone will read them.
    if (isLogEnabled(LogLevel.Info)) {
      for (let i = 0; i < headers.length; i++) {
        log(LogLevel.Info, "request header --> " + headers[i].toString());
      }
    }
    // Internal headers must not reach the upstream from outside: drop every x-internal-*.
    for (let i = 0; i < headers.length; i++) {
      const name = headers[i].keyText;
      if (name.startsWith("x-internal-")) request.remove(name);
    }
    // Tell the upstream the request passed through this filter.
    request.add("x-wasm-filter", "http_headers");
    return FilterHeadersStatus.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const response = responseHeaders;
    const root = this.rootContext as HttpHeadersRoot;
    response.add(root.header, root.value);
    // Hide what the upstream runs: replace sets the first `server` entry, or adds one.
    response.replace("server", "envoy");
    response.remove("x-powered-by");
    if (isLogEnabled(LogLevel.Info)) {
      const headers = response.getAll();
      for (let i = 0; headers !== null && i < headers.length; i++) {
        log(LogLevel.Info, "response header <-- " + headers[i].toString());
      }
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new HttpHeadersRoot(contextId), "http_headers");
