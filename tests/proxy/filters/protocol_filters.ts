// Test filters for the dev proxy's HTTP/1 protocol tests, one root id each:
//   double_body   marks the request (x-filtered: yes) and doubles every request body chunk as it
//                 passes, leaving content-length as the client sent it
//   header_bytes  adds x-v-hex (the hex of the bytes of x-v as the filter got them) and
//                 x-added: héllo, x-jp: 日本 to the request, x-resp: héllo 日本 to the response
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterDataStatus,
  FilterHeadersStatus,
  RootContext,
  registerRootContext,
  requestBody,
  requestHeaders,
  responseHeaders,
} from "proxy-wasm-as";

/** A header value, or "" when the header is absent. */
function orEmpty(value: string | null): string {
  return value !== null ? value : "";
}

// ---- double_body -----------------------------------------------------------------------------

class DoubleRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new DoubleBody(contextId, this);
  }
}

class DoubleBody extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    requestHeaders.add("x-filtered", "yes");
    return FilterHeadersStatus.Continue;
  }
  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    const chunk = requestBody.get();
    if (chunk !== null && chunk.byteLength > 0) {
      const doubled = new Uint8Array(chunk.byteLength * 2);
      doubled.set(Uint8Array.wrap(chunk), 0);
      doubled.set(Uint8Array.wrap(chunk), chunk.byteLength);
      requestBody.replace(doubled.buffer);
    }
    return FilterDataStatus.Continue;
  }
}

registerRootContext((id: u32) => new DoubleRoot(id), "double_body");

// ---- header_bytes ----------------------------------------------------------------------------

class HeaderBytesRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new HeaderBytes(contextId, this);
  }
}

function hex(s: string): string {
  const bytes = Uint8Array.wrap(String.UTF8.encode(s));
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    out += (b < 16 ? "0" : "") + b.toString(16);
  }
  return out;
}

class HeaderBytes extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const request = requestHeaders;
    request.add("x-v-hex", hex(orEmpty(request.get("x-v"))));
    request.add("x-added", "héllo");
    request.add("x-jp", "日本");
    return FilterHeadersStatus.Continue;
  }
  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    responseHeaders.add("x-resp", "héllo 日本");
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((id: u32) => new HeaderBytesRoot(id), "header_bytes");
