// `export * from "@solo-io/proxy-runtime/proxy"` resolves here (see index.ts beside it).
export * from "proxy-wasm-as/assembly/compat/proxy";
