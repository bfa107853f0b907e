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
  RootContext,
  logInfo,
  parseJsonObject,
  registerRootContext,
  stream_context,
} from "proxy-wasm-as";

class FilterRoot extends RootContext {
  header: string = "hello";
  value: string = "world!";

  // Runs when Envoy (re)configures the plugin; returning false rejects the configuration.
  onConfigure(configuration_size: u32): bool {
    if (!super.onConfigure(configuration_size)) return false;
    const text = this.getConfiguration();
    if (text == "") return true;
    const config = parseJsonObject(text); // logs why, and gives null, when it is not JSON
    if (config == null) return false;
    const header = config.getString("header");
    if (header != null) this.header = header.valueOf().toLowerCase();
    const value = config.getString("value");
    if (value != null) this.value = value.valueOf();
    logInfo("adding " + this.header + ": " + this.value);
    return true;
  }

  createContext(context_id: u32): Context {
    return new Filter(context_id, this);
  }
}

class Filter extends Context {
  settings: FilterRoot;

  constructor(context_id: u32, root: FilterRoot) {
    super(context_id, root);
    this.settings = root;
  }

  onResponseHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatus {
    stream_context.headers.response.add(this.settings.header, this.settings.value);
    return FilterHeadersStatus.Continue;
  }
}

// The root id ties this code to `root_id` in envoy.yaml and `pluginName` in wasmplugin.yaml.
const ROOT_ID = "__ROOT_ID__";
registerRootContext((context_id: u32) => new FilterRoot(context_id), ROOT_ID);
