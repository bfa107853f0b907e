// Test filter for assembly/transform/string_join.js: each request joins `x-lines` strings of 39
// characters in one callback and logs the joined length. Without the transform a release build
// appends them one by one, holding O(n²) bytes until the callback returns.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  log,
  registerRootContext,
  requestHeaders,
} from "proxy-wasm-as";

class JoinRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new JoinFilter(contextId, this);
  }
}

class JoinFilter extends Context {
  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const count = requestHeaders.get("x-lines");
    const n = count !== null ? I32.parseInt(count) : 0;
    const lines = new Array<string>();
    for (let i = 0; i < n; i++) lines.push("line " + i.toString().padStart(34, "0"));
    log(LogLevel.Info, "joined=" + lines.join("\n").length.toString());
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new JoinRoot(contextId), "string_join");
