// `import … from "@solo-io/proxy-runtime"` resolves here when asconfig lists
// node_modules/proxy-wasm-as/assembly/compat/packages in "path" (asconfig.compat.json does).
export * from "proxy-wasm-as/assembly/compat/index";
