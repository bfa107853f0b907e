// Workload header_heavy, our SDK: read 20 request headers, write 5 (replace on the request).
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  RootContext,
  registerRootContext,
  requestHeaders,
} from "proxy-wasm-as";

const READ: string[] = [
  ":method",
  ":path",
  ":authority",
  ":scheme",
  "user-agent",
  "accept",
  "accept-encoding",
  "accept-language",
  "cache-control",
  "content-type",
  "cookie",
  "referer",
  "x-request-id",
  "x-forwarded-for",
  "x-forwarded-proto",
  "x-b3-traceid",
  "x-b3-spanid",
  "x-tenant",
  "x-api-key",
  "x-missing",
];

class HeavyRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new Heavy(contextId, this);
  }
}

class Heavy extends Context {
  onRequestHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const request = requestHeaders;
    let total = 0;
    for (let i = 0; i < READ.length; i++) {
      const value = request.get(READ[i]);
      if (value !== null) total += value.length;
    }
    request.replace("x-bench-total", total.toString());
    request.replace("x-bench-1", "one");
    request.replace("x-bench-2", "two");
    request.replace("x-bench-3", "three");
    request.replace("x-forwarded-proto", "https");
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new HeavyRoot(contextId), "header_heavy");
