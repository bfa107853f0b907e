// Workload json_config, our SDK: the plugin configuration is a JSON object parsed once in
// onConfigure; every response gets the header it names.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  RootContext,
  parseJsonObject,
  registerRootContext,
  responseHeaders,
} from "proxy-wasm-as";

class JsonRoot extends RootContext {
  header: string = "x-config";
  value: string = "";
  rules: i32 = 0;

  onConfigure(configuration_size: u32): bool {
    if (!super.onConfigure(configuration_size)) return false;
    const config = parseJsonObject(this.getConfiguration());
    if (config === null) return false;
    const header = config.getString("header");
    const value = config.getString("value");
    const rules = config.getArr("rules");
    if (header === null || value === null || rules === null) return false;
    this.header = header.valueOf();
    this.value = value.valueOf();
    this.rules = rules.valueOf().length;
    return true;
  }

  createContext(contextId: u32): Context {
    return new JsonHeader(contextId, this);
  }
}

class JsonHeader extends Context {
  onResponseHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const root = changetype<JsonRoot>(this.rootContext);
    responseHeaders.add(root.header, root.value);
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new JsonRoot(contextId), "json_config");
