// __ROOT_ID__: a Proxy-Wasm HTTP filter that adds a header to every response, by default
// `hello: world!`. The plugin configuration (JSON, optional) changes both:
//   {"header": "x-greeting", "value": "bonjour"}
//
// Envoy calls the proxy_on_* functions this module exports; the SDK turns them into calls on
// the classes below: one root context per plugin (the configuration lives there) and one
// Context per HTTP request.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  log,
  parseJsonObject,
  registerRootContext,
  responseHeaders,
} from "proxy-wasm-as";

class FilterRoot extends RootContext {
  header: string = "hello";
  value: string = "world!";

  // Runs when Envoy (re)configures the plugin; returning false rejects the configuration.
  onConfigure(configurationSize: u32): bool {
    if (!super.onConfigure(configurationSize)) return false;
    const text = this.getConfiguration();
    if (text == "") return true;
    const config = parseJsonObject(text); // logs why, and gives null, when it is not JSON
    if (config == null) return false;
    const header = config.getString("header");
    if (header != null) this.header = header.valueOf().toLowerCase();
    const value = config.getString("value");
    if (value != null) this.value = value.valueOf();
    log(LogLevel.Info, "adding " + this.header + ": " + this.value);
    return true;
  }

  createContext(contextId: u32): Context {
    return new Filter(contextId, this);
  }
}

class Filter extends Context {
  settings: FilterRoot;

  constructor(contextId: u32, root: FilterRoot) {
    super(contextId, root);
    this.settings = root;
  }

  onResponseHeaders(headers: u32, endOfStream: bool): FilterHeadersStatus {
    responseHeaders.add(this.settings.header, this.settings.value);
    return FilterHeadersStatus.Continue;
  }
}

// The root id ties this code to `root_id` in envoy.yaml and `pluginName` in wasmplugin.yaml.
const ROOT_ID = "__ROOT_ID__";
registerRootContext((contextId: u32) => new FilterRoot(contextId), ROOT_ID);
