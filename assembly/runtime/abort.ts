// Replacements for AssemblyScript's `env.abort`, `env.trace` and `env.seed` imports, which Envoy
// does not provide (a module importing them fails to load). asconfig maps them with
// `--use abort=proxy_abort --use trace=proxy_trace --use seed=proxy_seed`.
// This file uses AssemblyScript-only decorators, so it is listed in .prettierignore.
import { proxy_get_current_time_nanoseconds, proxy_log } from "../abi/imports";
import { LogLevelValues } from "../abi/enums";
import { isLogEnabled } from "../log";
import { RETURN_U64 } from "./memory";
import { lineLength, lineNumber, linePtr, lineStart, lineText } from "./utf8";

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
  lineText("abort: ");
  if (message !== null) lineText(message);
  lineText(" at ");
  if (fileName !== null) lineText(fileName);
  lineText(":");
  lineNumber(lineNumber_);
  lineText(":");
  lineNumber(columnNumber);
  proxy_log(LogLevelValues.critical, linePtr(), lineLength());
  unreachable();
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
  if (!isLogEnabled(LogLevelValues.debug)) return; // costs nothing below the host's level
  lineStart();
  lineText("trace: ");
  lineText(message);
  if (n > 0) lineText(" " + a0.toString());
  if (n > 1) lineText(" " + a1.toString());
  if (n > 2) lineText(" " + a2.toString());
  if (n > 3) lineText(" " + a3.toString());
  if (n > 4) lineText(" " + a4.toString());
  proxy_log(LogLevelValues.debug, linePtr(), lineLength());
}

/** Seeds `Math.random` from the host clock (call it from a callback, not at start-up). */
// @ts-ignore: decorator
@global
export function proxy_seed(): f64 {
  proxy_get_current_time_nanoseconds(RETURN_U64);
  return <f64>load<u64>(RETURN_U64);
}
