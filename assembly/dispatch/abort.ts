// Replacements for AssemblyScript's `env.abort`, `env.trace` and `env.seed` imports, which Envoy
// does not provide (a module importing them fails to load). asconfig maps them with
// `--use abort=proxy_abort --use trace=proxy_trace --use seed=proxy_seed`.
// This file uses AssemblyScript-only decorators, so it is listed in .prettierignore.
import { proxy_get_current_time_nanoseconds, proxy_log } from "../abi/imports";
import { LogLevel } from "../abi/enums";
import { isLogEnabled } from "../api/log";
import { RETURN_U64 } from "./memory";
import { lineLength, lineMessage, lineNumber, linePtr, lineStart, lineText } from "./utf8";
import { ABORT, AT, COLON, OUT_OF_MEMORY, SPACE, TRACE } from "./messages";

/** Logs the failed assertion or thrown error with its place at critical level, then traps. */
// @ts-ignore: decorator
@global
export function proxy_abort(
  message: string | null,
  fileName: string | null,
  lineNumber_: u32,
  columnNumber: u32,
): void {
  // "abort: <message> at <file>:<line>:<column>"; a missing message or file stays empty.
  lineStart();
  lineMessage(ABORT);
  if (message !== null) lineText(message);
  lineMessage(AT);
  if (fileName !== null) lineText(fileName);
  lineMessage(COLON);
  lineNumber(lineNumber_);
  lineMessage(COLON);
  lineNumber(columnNumber);
  proxy_log(LogLevel.Critical, linePtr(), lineLength());
  unreachable();
}

/** Called by the SDK's runtime (assembly/heap) when memory cannot grow, just before it traps. */
// @ts-ignore: decorator
@global
export function __proxy_out_of_memory(): void {
  lineStart();
  lineMessage(ABORT);
  lineMessage(OUT_OF_MEMORY);
  proxy_log(LogLevel.Critical, linePtr(), lineLength());
}

/** The name @solo-io/proxy-runtime projects pass to `--use abort=abort_proc_exit`. */
// @ts-ignore: decorator
@global
export function abort_proc_exit(
  message: string | null,
  fileName: string | null,
  lineNumber_: u32,
  columnNumber: u32,
): void {
  proxy_abort(message, fileName, lineNumber_, columnNumber);
}

/** `trace()` output goes to the host log at debug level. */
// @ts-ignore: decorator
@global
export function proxy_trace(
  message: string,
  n: i32 = 0,
  a0: f64 = 0,
  a1: f64 = 0,
  a2: f64 = 0,
  a3: f64 = 0,
  a4: f64 = 0,
): void {
  if (!isLogEnabled(LogLevel.Debug)) return; // costs nothing below the host's level
  lineStart();
  lineMessage(TRACE);
  lineText(message);
  const values = [a0, a1, a2, a3, a4];
  for (let i = 0; i < n && i < 5; i++) {
    lineMessage(SPACE);
    lineText(values[i].toString());
  }
  proxy_log(LogLevel.Debug, linePtr(), lineLength());
}

/** Seeds `Math.random` from the host clock (call it from a callback, not at start-up). */
// @ts-ignore: decorator
@global
export function proxy_seed(): f64 {
  proxy_get_current_time_nanoseconds(RETURN_U64);
  return <f64>load<u64>(RETURN_U64);
}
