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

export { LOG_LEVEL_NAMES } from "../host/log_level.js";
