// `import … from "@solo-io/proxy-runtime/assembly/runtime"` (see ../index.ts).
export * from "proxy-wasm-as/assembly/compat/runtime";
