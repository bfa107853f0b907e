// `export * from "@solo-io/proxy-runtime/assembly/proxy"` (see ../index.ts).
export * from "proxy-wasm-as/assembly/compat/proxy";
