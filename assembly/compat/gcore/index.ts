// `import … from "@gcoredev/proxy-wasm-sdk-as/assembly"`: every name the package's
// assembly/index.ts exports in 1.2.3, re-exported from where it lives.
import "../../dispatch/abort";

export { BaseContext } from "../../contexts/base_context";
export { RootContext, Context, HttpCallback, registerRootContext } from "../contexts";
export {
  BufferTypeValues,
  FilterDataStatusValues,
  FilterHeadersStatusValues,
  FilterMetadataStatusValues,
  FilterStatusValues,
  FilterTrailersStatusValues,
  GrpcStatusValues,
  LogLevelValues,
  WasmResultValues,
} from "../values";
export { log } from "./log";
export * from "../functions";
export { send_http_response } from "../calls";
