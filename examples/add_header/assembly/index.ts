// The article's filter: add `hello: <configuration>` (default "world!") to every response.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  RootContext,
  registerRootContext,
  responseHeaders,
} from "proxy-wasm-as";

class AddHeaderRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new AddHeader(contextId, this);
  }
}

class AddHeader extends Context {
  onResponseHeaders(headers: u32, endOfStream: bool): FilterHeadersStatus {
    const value = this.rootContext.getConfiguration();
    responseHeaders.add("hello", value == "" ? "world!" : value);
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new AddHeaderRoot(contextId), "add_header");
