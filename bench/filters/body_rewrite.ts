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
    // One unsigned compare per byte (c - 'a' < 26), walking a pointer: the loop the
    // hand-written limit runs, written the same way for every SDK.
    const start = changetype<usize>(chunk);
    const end = start + <usize>chunk.byteLength;
    for (let p = start; p < end; p++) {
      const c = <u32>load<u8>(p);
      if (c - 0x61 < 26) store<u8>(p, <u8>(c - 0x20));
    }
    body.replace(chunk);
    return FilterDataStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new RewriteRoot(contextId), "body_rewrite");
