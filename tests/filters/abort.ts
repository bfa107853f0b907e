// Test filter for aborts: what `x-case` asks for throws or goes out of bounds, so the SDK's
// abort handler logs message, file and line at critical level and the VM traps.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  FilterStatus,
  LogLevel,
  RootContext,
  StreamContext,
  TcpContext,
  downstreamData,
  log,
  registerRootContext,
  requestHeaders,
} from "proxy-wasm-as";

/** A header value, or "" when the header is absent. */
function orEmpty(value: string | null): string {
  return value !== null ? value : "";
}

class AbortRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new AbortFilter(contextId, this);
  }
}

class AbortFilter extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const testCase = orEmpty(requestHeaders.get("x-case"));
    log(LogLevel.Info, "case=" + testCase);
    if (testCase == "throw") {
      throw new Error("boom in " + testCase); // THROW-HERE
    }
    if (testCase == "index") {
      const list = new Array<i32>(2);
      log(LogLevel.Info, "value=" + list[num_headers + 10].toString());
    }
    return FilterHeadersStatus.Continue;
  }
}

class AbortTcpRoot extends RootContext {
  createContext(contextId: u32): StreamContext {
    return new AbortTcp(contextId, this);
  }
}

class AbortTcp extends TcpContext {
  onDownstreamData(data_size: usize, end_of_stream: bool): FilterStatus {
    const text = downstreamData.getString();
    if (text == "crash") throw new Error("tcp crash"); // TCP-THROW-HERE
    return FilterStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new AbortRoot(contextId), "abort");
registerRootContext((contextId: u32) => new AbortTcpRoot(contextId), "abort_tcp");
