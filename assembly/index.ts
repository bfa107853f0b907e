// proxy-wasm-as: the public API of the Proxy-Wasm SDK for AssemblyScript.
// Filters import from "proxy-wasm-as" and re-export "proxy-wasm-as/proxy".

// The contexts a filter extends.
export { RootContext, registerRootContext } from "./contexts/root_context";
export { Context } from "./contexts/context";
export { TcpContext } from "./contexts/tcp_context";

export * from "./common";
