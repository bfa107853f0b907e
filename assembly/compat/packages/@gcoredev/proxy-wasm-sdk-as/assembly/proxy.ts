// `export * from "@gcoredev/proxy-wasm-sdk-as/assembly/proxy"`: the callbacks the host calls.
export * from "proxy-wasm-as/assembly/compat/proxy";
