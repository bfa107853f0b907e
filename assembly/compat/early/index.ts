// What filters written for the early @solo-io/proxy-runtime (the `wasme init` template, with
// `RootContextHelper` / `ContextHelper`) import. The compat transform sends their
// `import … from "@solo-io/proxy-runtime"` here: the same names as the package root, with the
// early context classes.
import "../../dispatch/abort";

export { RootContext, Context, RootContextHelper, ContextHelper } from "./contexts";
export { registerRootContext } from "./register";
export { BaseContext } from "../../contexts/base_context";
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
  HeaderMapTypeValues,
  StreamTypeValues,
  MetricTypeValues,
  PeerTypeValues,
} from "../values";
export { log } from "../../api/log";
export * from "../functions";
