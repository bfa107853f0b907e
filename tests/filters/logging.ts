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
  logCritical,
  logDebug,
  logError,
  logInfo,
  logTrace,
  logWarn,
  registerRootContext,
} from "proxy-wasm-as";

let evaluated = 0;

function expensive(): string {
  evaluated++;
  return "computed";
}

class LoggingRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new LoggingFilter(context_id, this);
  }
}

class LoggingFilter extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    logTrace("t:trace");
    logDebug("t:debug");
    logInfo("t:info");
    logWarn("t:warn");
    logError("t:error");
    logCritical("t:critical");
    log(LogLevel.Warn, "t:log-warn");
    log(LogLevel.Debug, "t:log-debug");
    if (isLogEnabled(LogLevel.Debug)) logDebug("t:expensive " + expensive());
    trace("t:builtin", 2, 1.5, 2);
    logCritical("level=" + (<i32>getLogLevel()).toString());
    logCritical("enabled.debug=" + (isLogEnabled(LogLevel.Debug) ? "true" : "false"));
    logCritical("evaluated=" + evaluated.toString());
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((context_id: u32) => new LoggingRoot(context_id), "logging");
