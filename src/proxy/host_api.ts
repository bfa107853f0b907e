// The parts of the host emulator the dev proxy uses, in one place.
export {
  Host,
  HeaderMap,
  formatLogEntry,
  type GrpcCall,
  type HttpCallout,
  type HttpContext,
  type HttpStreamListener,
  type LocalResponse,
  type LogEntry,
  type LogLevelName,
  type Pair,
  type PluginOptions,
  type RootContext,
  type Vm,
  type VmOptions,
} from "../host/index.js";
export { loadSourceMap } from "../host/trap_location.js";

/** Level names by LogLevel number. */
export const LOG_LEVEL_NAMES_PROXY: readonly string[] = [
  "trace",
  "debug",
  "info",
  "warn",
  "error",
  "critical",
];
