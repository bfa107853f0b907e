// json_config for @solo-io/proxy-runtime 0.1.8: the SDK has no JSON support, so the
// configuration is parsed with assemblyscript-json (what its users would reach for).
export * from "@solo-io/proxy-runtime/proxy";
import {
  Context,
  FilterHeadersStatusValues,
  RootContext,
  registerRootContext,
  stream_context,
} from "@solo-io/proxy-runtime";
import { JSON } from "assemblyscript-json";

class JsonRoot extends RootContext {
  header: string = "x-config";
  value: string = "";
  rules: i32 = 0;

  onConfigure(configuration_size: u32): bool {
    if (!super.onConfigure(configuration_size)) return false;
    const parsed = JSON.parse(this.getConfiguration());
    if (!parsed.isObj) return false;
    const config = <JSON.Obj>parsed;
    const header = config.getString("header");
    const value = config.getString("value");
    const rules = config.getArr("rules");
    if (header === null || value === null || rules === null) return false;
    this.header = header.valueOf();
    this.value = value.valueOf();
    this.rules = rules.valueOf().length;
    return true;
  }

  createContext(context_id: u32): Context {
    return new JsonHeader(context_id, this);
  }
}

class JsonHeader extends Context {
  constructor(context_id: u32, root_context: JsonRoot) {
    super(context_id, root_context);
  }
  onResponseHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    const root = changetype<JsonRoot>(this.root_context);
    stream_context.headers.response.add(root.header, root.value);
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => new JsonRoot(context_id), "json_config");
