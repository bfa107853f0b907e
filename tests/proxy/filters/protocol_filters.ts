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
  stream_body,
  stream_context,
} from "proxy-wasm-as";

// ---- double_body -----------------------------------------------------------------------------

class DoubleRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new DoubleBody(context_id, this);
  }
}

class DoubleBody extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    stream_context.headers.request.add("x-filtered", "yes");
    return FilterHeadersStatus.Continue;
  }
  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    const chunk = stream_body.request.get();
    if (chunk !== null && chunk.byteLength > 0) {
      const doubled = new Uint8Array(chunk.byteLength * 2);
      doubled.set(Uint8Array.wrap(chunk), 0);
      doubled.set(Uint8Array.wrap(chunk), chunk.byteLength);
      stream_body.request.replace(doubled.buffer);
    }
    return FilterDataStatus.Continue;
  }
}

registerRootContext((id: u32) => new DoubleRoot(id), "double_body");

// ---- header_bytes ----------------------------------------------------------------------------

class HeaderBytesRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new HeaderBytes(context_id, this);
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
    const request = stream_context.headers.request;
    request.add("x-v-hex", hex(request.get("x-v")));
    request.add("x-added", "héllo");
    request.add("x-jp", "日本");
    return FilterHeadersStatus.Continue;
  }
  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    stream_context.headers.response.add("x-resp", "héllo 日本");
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((id: u32) => new HeaderBytesRoot(id), "header_bytes");
