// Test filter for shared data: get / set with compare-and-swap, driven by request headers
// (x-op, x-key, x-value, x-cas). Results logged as key=value.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  getSharedData,
  log,
  registerRootContext,
  requestHeaders,
  setSharedData,
  setSharedDataString,
} from "proxy-wasm-as";

/** A header value, or "" when the header is absent. */
function orEmpty(value: string | null): string {
  return value !== null ? value : "";
}

function report(key: string, value: string): void {
  log(LogLevel.Info, key + "=" + value);
}

function reportGet(label: string, key: string): u32 {
  const d = getSharedData(key);
  if (d === null) {
    report(label, "null");
    return 0;
  }
  report(label, d.text + "@" + d.cas.toString());
  return d.cas;
}

class SharedRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new SharedFilter(contextId, this);
  }
}

class SharedFilter extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const h = requestHeaders;
    const op = orEmpty(h.get("x-op"));
    const key = orEmpty(h.get("x-key"));
    if (op == "get") {
      reportGet("get", key);
    } else if (op == "set") {
      const cas = h.has("x-cas") ? <u32>U32.parseInt(orEmpty(h.get("x-cas"))) : 0;
      report("set", (<i32>setSharedDataString(key, orEmpty(h.get("x-value")), cas)).toString());
    } else if (op == "cas-flow") {
      reportGet("flow.get0", key);
      report("flow.set0", (<i32>setSharedDataString(key, "v1")).toString());
      const cas1 = reportGet("flow.get1", key);
      report("flow.set1", (<i32>setSharedDataString(key, "v2", cas1)).toString());
      report("flow.stale", (<i32>setSharedDataString(key, "v3", cas1)).toString());
      const cas2 = reportGet("flow.get2", key);
      report("flow.changed", cas2 != cas1 ? "yes" : "no");
      report("flow.force", (<i32>setSharedDataString(key, "v4", 0)).toString());
      reportGet("flow.get3", key);
    } else if (op == "bytes") {
      const value = new ArrayBuffer(3);
      store<u8>(changetype<usize>(value), 0);
      store<u8>(changetype<usize>(value) + 1, 255);
      store<u8>(changetype<usize>(value) + 2, 7);
      report("bytes.set", (<i32>setSharedData(key, value)).toString());
      const d = getSharedData(key);
      if (d !== null) {
        report("bytes.length", d.value.byteLength.toString());
        report("bytes.1", load<u8>(changetype<usize>(d.value) + 1).toString());
      }
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new SharedRoot(contextId), "shared");
