// Entry point that asc resolves for `import … from "proxy-wasm-as"`.
export * from "./assembly/index";
