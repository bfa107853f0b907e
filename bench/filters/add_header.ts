// Workload add_header, our SDK: the project's own example filter, verbatim in behaviour
// (`hello: <configuration>`, default "world!"), so its size is the figure users see.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  RootContext,
  registerRootContext,
  stream_context,
} from "proxy-wasm-as";

class AddHeaderRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new AddHeader(context_id, this);
  }
}

class AddHeader extends Context {
  onResponseHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const value = this.root_context.getConfiguration();
    stream_context.headers.response.add("hello", value == "" ? "world!" : value);
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((context_id: u32) => new AddHeaderRoot(context_id), "add_header");
