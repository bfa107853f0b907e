// `import … from "@gcoredev/proxy-wasm-sdk-as/assembly"` resolves here when asconfig lists
// node_modules/proxy-wasm-as/assembly/compat/packages in "path" (asconfig.compat.json does).
export * from "proxy-wasm-as/assembly/compat/gcore/index";
