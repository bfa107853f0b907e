// Workload add_header, our SDK: the project's own example filter, verbatim in behaviour
// (`hello: <configuration>`, default "world!"), so its size is the figure users see.
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
  onResponseHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const value = this.rootContext.getConfiguration();
    responseHeaders.add("hello", value == "" ? "world!" : value);
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new AddHeaderRoot(contextId), "add_header");
