// Logging as @gcoredev/proxy-wasm-sdk-as does it: messages below the level set with
// `setLogLevel` (info until then) are dropped; the rest go to the host log.
import { LogLevel } from "../../abi/enums";
import { log as hostLog } from "../../api/log";
import { getCurrentTimeNanoseconds } from "../../api/time";

let minimum: LogLevel = LogLevel.Info;

/** Drops later messages below `level`. */
export function setLogLevel(level: LogLevel): void {
  minimum = level;
}

/** Writes `logMessage` to the host log at `level`, unless it is below the level of `setLogLevel`. */
export function log(level: LogLevel, logMessage: string): void {
  if (<i32>level < <i32>minimum) return;
  hostLog(level, logMessage);
}

/** The host's wall clock in milliseconds since the Unix epoch (0 if the host refuses). */
export function getCurrentTime(): u64 {
  const now = getCurrentTimeNanoseconds();
  return now.ok ? now.value / 1_000_000 : 0;
}
