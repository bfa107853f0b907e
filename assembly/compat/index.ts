// What filters written for the early @solo-io/proxy-runtime (the `wasme init` template) import.
// Everything of the current API is here too, except the three names whose shape changed.
export { RootContext, Context, RootContextHelper, ContextHelper } from "./root_context";
export { registerRootContext } from "./register";
export * from "../common";
export * from "./values";
