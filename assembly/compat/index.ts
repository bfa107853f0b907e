// `import … from "@solo-io/proxy-runtime"`: every name the package root exports in 0.1.8 and
// 0.1.15. Each name is re-exported from where it lives, so this list does not follow the main
// export list (assembly/index.ts) when that one changes.
import "../dispatch/abort";

export { BaseContext } from "../contexts/base_context";
export { RootContext, Context, HttpCallback, registerRootContext } from "./contexts";
export {
  LogLevelValues,
  WasmResultValues,
  GrpcStatusValues,
  FilterStatusValues,
  FilterHeadersStatusValues,
  FilterMetadataStatusValues,
  FilterTrailersStatusValues,
  FilterDataStatusValues,
  BufferTypeValues,
} from "./values";
export { log } from "../api/log";
export * from "./functions";
