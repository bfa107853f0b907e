// `import … from "@solo-io/proxy-runtime/assembly"`, the package's main file.
export * from "proxy-wasm-as/assembly/compat/index";
