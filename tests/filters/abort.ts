// Test filter for aborts: what `x-case` asks for throws or goes out of bounds, so the SDK's
// abort handler logs message, file and line at critical level and the VM traps.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  FilterStatus,
  RootContext,
  downstream_data,
  logInfo,
  registerRootContext,
  stream_context,
} from "proxy-wasm-as";

class AbortRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new AbortFilter(context_id, this);
  }
}

class AbortFilter extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const testCase = stream_context.headers.request.get("x-case");
    logInfo("case=" + testCase);
    if (testCase == "throw") {
      throw new Error("boom in " + testCase); // THROW-HERE
    }
    if (testCase == "index") {
      const list = new Array<i32>(2);
      logInfo("value=" + list[num_headers + 10].toString());
    }
    return FilterHeadersStatus.Continue;
  }

  onDownstreamData(data_size: usize, end_of_stream: bool): FilterStatus {
    const text = downstream_data.getString();
    if (text == "crash") throw new Error("tcp crash"); // TCP-THROW-HERE
    return FilterStatus.Continue;
  }
}

registerRootContext((context_id: u32) => new AbortRoot(context_id), "abort");
