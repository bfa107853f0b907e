// A filter with a planted bug for tests/fuzz: it remembers whether any request header value has a
// byte outside ASCII, and counts the request body chunks. Only when both meet (a non-ASCII header
// and a body that arrives in two or more non-empty chunks) does it trap. Everything else passes
// through untouched, so the fuzzer must find that one combination.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterDataStatus,
  FilterHeadersStatus,
  RootContext,
  registerRootContext,
  requestHeaders,
} from "proxy-wasm-as";

class PlantedRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new Planted(contextId, this);
  }
}

class Planted extends Context {
  nonAscii: bool = false;
  chunks: i32 = 0;

  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const headers = requestHeaders.getAll();
    if (headers === null) return FilterHeadersStatus.Continue;
    for (let i = 0; i < headers.length; i++) {
      const value = headers[i].value;
      for (let j = 0; j < value.byteLength; j++)
        if (load<u8>(changetype<usize>(value) + j) >= 0x80) this.nonAscii = true;
    }
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    if (body_buffer_length > 0) this.chunks++;
    // The planted bug: an out-of-range index once both conditions hold.
    if (this.nonAscii && this.chunks >= 2) {
      const seen = new StaticArray<i32>(1);
      seen[this.chunks] = 1; // traps: index out of range
    }
    return FilterDataStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new PlantedRoot(contextId), "fuzz_planted");
