// Test filter whose root context overrides no callback and whose streams are the SDK's own
// `Context` (tests/abi/missing_callbacks.test.ts): its lean module exports only the callbacks the
// SDK needs, and every request and connection still passes through.
export * from "proxy-wasm-as/proxy";
import { RootContext, registerRootContext } from "proxy-wasm-as";

class NothingRoot extends RootContext {}

registerRootContext((contextId: u32) => new NothingRoot(contextId), "nothing");
