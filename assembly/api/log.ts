import { proxy_get_log_level, proxy_log } from "../abi/imports";
import { LogLevel, WasmResult } from "../abi/enums";
import { RETURN_U32 } from "../dispatch/memory";
import { PREFIX } from "../dispatch/messages";
import {
  arg0Len,
  arg0Ptr,
  encode1,
  lineLength,
  linePtr,
  lineMessage,
  lineStart,
} from "../dispatch/utf8";
import { Result } from "./result";

// The host's level is asked at most once per callback: Envoy's level can change at run time,
// but one hostcall per callback is the most a filter that logs should pay. Before the first
// callback (inside `_initialize`) the host forbids that hostcall, so everything is logged.
let levelKnown = true;
let hostLevel: u32 = LogLevel.Trace;
let levelStatus = WasmResult.BadArgument; // why hostLevel is not the host's answer

/** @internal Called on entry to every callback so the next log call asks the host again. */
export function forgetLogLevel(): void {
  levelKnown = false;
}

// The level to compare against: the host's, or Trace when it cannot tell.
function currentLevel(): u32 {
  if (!levelKnown) {
    levelStatus = <WasmResult>proxy_get_log_level(RETURN_U32);
    hostLevel = levelStatus == WasmResult.Ok ? load<u32>(RETURN_U32) : LogLevel.Trace;
    levelKnown = true;
  }
  return hostLevel;
}

/**
 * The host's current log level (`proxy_get_log_level`); not `ok` when the host cannot tell (as
 * before the first callback). To decide whether to log, use `isLogEnabled`.
 */
export function getLogLevel(): Result<LogLevel> {
  const level = <LogLevel>currentLevel();
  return new Result<LogLevel>(levelStatus, level);
}

/**
 * True when a message at `level` would be written (also when the host cannot tell). Guard
 * expensive messages with it so no string is built when the level is off:
 * `if (isLogEnabled(LogLevel.Debug)) log(LogLevel.Debug, "n=" + n.toString());`
 */
export function isLogEnabled(level: LogLevel): bool {
  return <u32>level >= currentLevel();
}

/**
 * Writes `message` to the host log at `level`, unless the host's level is above it. Returns Ok
 * (also when the level is off) or why the host refused.
 */
export function log(level: LogLevel, message: string): WasmResult {
  if (!isLogEnabled(level)) return WasmResult.Ok;
  encode1(message);
  return <WasmResult>proxy_log(level, arg0Ptr, arg0Len);
}

/** @internal Writes the line assembled with `lineStart` / `lineText` if `level` is enabled. */
export function logLine(level: LogLevel): void {
  if (isLogEnabled(level)) proxy_log(level, linePtr(), lineLength());
}

/** @internal Starts a line of the SDK's own diagnostics: "proxy-wasm-as: " and `message`. */
export function sdkLine(message: u32): void {
  lineStart();
  lineMessage(PREFIX);
  lineMessage(message);
}

/** Logs at trace level. */
export function logTrace(message: string): void {
  log(LogLevel.Trace, message);
}
/** Logs at debug level. */
export function logDebug(message: string): void {
  log(LogLevel.Debug, message);
}
/** Logs at info level. */
export function logInfo(message: string): void {
  log(LogLevel.Info, message);
}
/** Logs at warn level. */
export function logWarn(message: string): void {
  log(LogLevel.Warn, message);
}
/** Logs at error level. */
export function logError(message: string): void {
  log(LogLevel.Error, message);
}
/** Logs at critical level. */
export function logCritical(message: string): void {
  log(LogLevel.Critical, message);
}
