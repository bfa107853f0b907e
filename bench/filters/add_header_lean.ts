// add_header as add_header.ts, but exporting only the callbacks this filter needs instead of
// `export * from "proxy-wasm-as/proxy"`: what an SDK transform that drops the exports of
// callbacks nobody overrides would give (the host skips a callback that is not exported).
export {
  proxy_abi_version_0_2_1,
  proxy_on_memory_allocate,
  proxy_on_context_create,
  proxy_on_vm_start,
  proxy_on_configure,
  proxy_on_response_headers,
  proxy_on_delete,
} from "proxy-wasm-as/proxy";
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
