// Entry point for `export * from "proxy-wasm-as/proxy"`: the callbacks the host calls.
export * from "./assembly/abi/exports";
