// body_rewrite for @gcoredev/proxy-wasm-sdk-as 1.2.3: upper-case every response body chunk.
export * from "@gcoredev/proxy-wasm-sdk-as/assembly/proxy";
import {
  BufferTypeValues,
  Context,
  FilterDataStatusValues,
  RootContext,
  get_buffer_bytes,
  registerRootContext,
  set_buffer_bytes,
} from "@gcoredev/proxy-wasm-sdk-as/assembly";

class RewriteRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new Rewrite(context_id, this);
  }
}

class Rewrite extends Context {
  constructor(context_id: u32, root_context: RewriteRoot) {
    super(context_id, root_context);
  }
  onResponseBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatusValues {
    const chunk = get_buffer_bytes(BufferTypeValues.HttpResponseBody, 0, <u32>body_buffer_length);
    // One unsigned compare per byte (c - 'a' < 26), walking a pointer: the loop the
    // hand-written limit runs, written the same way for every SDK.
    const start = changetype<usize>(chunk);
    const end = start + <usize>chunk.byteLength;
    for (let p = start; p < end; p++) {
      const c = <u32>load<u8>(p);
      if (c - 0x61 < 26) store<u8>(p, <u8>(c - 0x20));
    }
    set_buffer_bytes(BufferTypeValues.HttpResponseBody, 0, <u32>chunk.byteLength, chunk);
    return FilterDataStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => new RewriteRoot(context_id), "body_rewrite");
