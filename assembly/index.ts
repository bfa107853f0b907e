// proxy-wasm-as: the public API of the Proxy-Wasm SDK for AssemblyScript.
// Filters import from "proxy-wasm-as" and re-export "proxy-wasm-as/proxy".

// The contexts a filter extends.
export { RootContext, registerRootContext } from "./root_context";
export { Context } from "./context";
export { TcpContext } from "./tcp_context";

export * from "./common";
