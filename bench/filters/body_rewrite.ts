// Workload body_rewrite, our SDK: every response body chunk is read, its ASCII lower-case
// letters turned upper-case, and written back in place of the chunk.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterDataStatus,
  RootContext,
  registerRootContext,
  responseBody,
} from "proxy-wasm-as";

class RewriteRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new Rewrite(contextId, this);
  }
}

class Rewrite extends Context {
  onResponseBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    const body = responseBody;
    const chunk = body.get();
    if (chunk === null) return FilterDataStatus.Continue;
    const p = changetype<usize>(chunk);
    const n = <usize>chunk.byteLength;
    for (let i: usize = 0; i < n; i++) {
      const c = load<u8>(p + i);
      if (c >= 0x61 && c <= 0x7a) store<u8>(p + i, c - 0x20);
    }
    body.replace(chunk);
    return FilterDataStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new RewriteRoot(contextId), "body_rewrite");
