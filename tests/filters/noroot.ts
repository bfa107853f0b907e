// Test filter that registers no root context: the SDK's default root lets all traffic through.
export * from "proxy-wasm-as/proxy";
import { LogLevel, log } from "proxy-wasm-as";

log(LogLevel.Info, "noroot: loaded");
