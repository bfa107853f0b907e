// Log levels by name, as the CLI and `Host` options take them.
import { LogLevel } from "./enums.js";

/** The level names, in LogLevel order. */
export const LOG_LEVEL_NAMES = ["trace", "debug", "info", "warn", "error", "critical"] as const;
export type LogLevelName = (typeof LOG_LEVEL_NAMES)[number];

/** Accepts a level name ("info"), its number, or the enum. */
export function toLogLevel(level: LogLevelName | "off" | number): number {
  if (typeof level === "number") return level;
  if (level === "off") return LogLevel.Off;
  const i = LOG_LEVEL_NAMES.indexOf(level);
  if (i < 0) throw new Error(`unknown log level "${level}"`);
  return i;
}
