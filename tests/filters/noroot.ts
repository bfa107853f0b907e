// Test filter that registers no root context: the SDK's default root lets all traffic through.
export * from "proxy-wasm-as/proxy";
import { logInfo } from "proxy-wasm-as";

logInfo("noroot: loaded");
