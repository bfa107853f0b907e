// The callbacks the host calls, for `export * from "@solo-io/proxy-runtime/proxy"`.
export * from "../abi/exports";
