// The OCI part of proxy-wasm-as: Wasm images, image layouts, a registry client, manifests.
export * from "./types.js";
export * from "./tar.js";
export * from "./image.js";
export * from "./reference.js";
export * from "./auth.js";
export * from "./registry.js";
export * from "./transfer.js";
export * from "./manifests.js";
export { toYaml } from "./yaml.js";
