// Test filter for logging: one line per level on every request, a debug line whose message is
// expensive to build (guarded by isLogEnabled), and AssemblyScript's trace(). What the filter saw
// is reported at critical level as key=value.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  getLogLevel,
  isLogEnabled,
  log,
  registerRootContext,
} from "proxy-wasm-as";

let evaluated = 0;

function expensive(): string {
  evaluated++;
  return "computed";
}

class LoggingRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new LoggingFilter(contextId, this);
  }
}

class LoggingFilter extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    log(LogLevel.Trace, "t:trace");
    log(LogLevel.Debug, "t:debug");
    log(LogLevel.Info, "t:info");
    log(LogLevel.Warn, "t:warn");
    log(LogLevel.Error, "t:error");
    log(LogLevel.Critical, "t:critical");
    log(LogLevel.Warn, "t:log-warn");
    log(LogLevel.Debug, "t:log-debug");
    if (isLogEnabled(LogLevel.Debug)) log(LogLevel.Debug, "t:expensive " + expensive());
    trace("t:builtin", 2, 1.5, 2);
    const level = getLogLevel();
    log(LogLevel.Critical, "level=" + (level.ok ? (<i32>level.value).toString() : "not ok"));
    log(LogLevel.Critical, "enabled.debug=" + (isLogEnabled(LogLevel.Debug) ? "true" : "false"));
    log(LogLevel.Critical, "evaluated=" + evaluated.toString());
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new LoggingRoot(contextId), "logging");
