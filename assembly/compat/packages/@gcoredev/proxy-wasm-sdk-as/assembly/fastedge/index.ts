// `import … from "@gcoredev/proxy-wasm-sdk-as/assembly/fastedge"` (see ../index.ts).
export * from "proxy-wasm-as/assembly/compat/gcore/fastedge";
