// add_header for @solo-io/proxy-runtime 0.1.8 (AssemblyScript 0.14.13), written for this bench.
export * from "@solo-io/proxy-runtime/proxy";
import {
  Context,
  FilterHeadersStatusValues,
  RootContext,
  registerRootContext,
  stream_context,
} from "@solo-io/proxy-runtime";

class AddHeaderRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new AddHeader(context_id, this);
  }
}

class AddHeader extends Context {
  constructor(context_id: u32, root_context: AddHeaderRoot) {
    super(context_id, root_context);
  }
  onResponseHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    // The configuration is not read: 0.1.8's onConfigure hands the host the configuration size
    // where the address of the size belongs and then decodes a buffer it has already released,
    // so the configuration string cannot be trusted (the value used here is the default).
    stream_context.headers.response.add("hello", "world!");
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => new AddHeaderRoot(context_id), "add_header");
