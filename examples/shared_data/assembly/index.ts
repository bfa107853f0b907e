// shared_data: a request counter that every worker thread shares.
//
// Envoy runs one VM per worker thread, so a global variable would count per thread. Shared data
// is one key/value store for every VM with the same vm_id. Each value carries a CAS stamp that
// changes on every write: an update reads the value and its stamp, writes the new value with that
// stamp, and reads again when the host answers CasMismatch because another worker wrote first.
//
// The count is passed upstream in x-request-count. No configuration.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  WasmResult,
  getSharedData,
  log,
  registerRootContext,
  requestHeaders,
  setSharedDataString,
} from "proxy-wasm-as";

const KEY = "shared_data.requests";
const MAX_ATTEMPTS = 10;

/** Adds one to the counter under `key` and returns the new count, or -1 if it kept changing. */
function increment(key: string): i64 {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = getSharedData(key);
    // A missing key counts as 0; cas 0 then creates it.
    const count = current !== null ? I64.parseInt(current.text) : 0;
    const cas: u32 = current !== null ? current.cas : 0;
    log(LogLevel.Debug, "shared_data: read " + count.toString() + " (cas " + cas.toString() + ")");

    const result = setSharedDataString(key, (count + 1).toString(), cas);
    if (result == WasmResult.Ok) return count + 1;
    if (result != WasmResult.CasMismatch) break;
    log(LogLevel.Debug, "shared_data: cas mismatch, retrying");
  }
  return -1;
}

class SharedDataRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new CountRequests(contextId, this);
  }
}

class CountRequests extends Context {
  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const count = increment(KEY);
    if (count < 0) {
      // Counting is best effort: never fail a request over it.
      log(LogLevel.Warn, "shared_data: " + KEY + " kept changing; request not counted");
      return FilterHeadersStatus.Continue;
    }
    requestHeaders.replace("x-request-count", count.toString());
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new SharedDataRoot(contextId), "shared_data");
