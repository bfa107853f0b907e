// Test filter for JSON configuration: the plugin configuration is parsed with parseJsonObject;
// invalid JSON or a non-object makes onConfigure return false (the SDK logs why). A valid one sets
// the response header the streams add. The VM configuration goes through the same check.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterDataStatus,
  FilterHeadersStatus,
  JSON,
  RootContext,
  checkJsonSyntax,
  lastJsonError,
  logInfo,
  parseJsonObject,
  registerRootContext,
  stream_body,
  stream_context,
  tryParseJsonObject,
  vm_configuration,
} from "proxy-wasm-as";

function report(key: string, value: string): void {
  logInfo(key + "=" + value);
}

class JsonRoot extends RootContext {
  header: string = "x-configured";
  value: string = "default";
  count: i64 = 1;

  onStart(vm_configuration_size: usize): bool {
    const text = vm_configuration.getString();
    if (text === null || text == "") return true;
    return parseJsonObject(text, "vm configuration") !== null;
  }

  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    const text = this.getConfiguration();
    report("syntax", checkJsonSyntax(text) ? "ok" : "bad: " + lastJsonError());
    if (text == "") return true;
    const config = parseJsonObject(text);
    if (config === null) {
      report("rejected", lastJsonError());
      return false;
    }
    const header = config.getString("header");
    if (header !== null) this.header = header.valueOf();
    const value = config.getString("value");
    if (value !== null) this.value = value.valueOf();
    const count = config.getInteger("count");
    if (count !== null) this.count = count.valueOf();
    const enabled = config.getBool("enabled");
    report("enabled", enabled !== null ? (enabled.valueOf() ? "true" : "false") : "absent");
    const tags = config.getArr("tags");
    report("tags", tags !== null ? tags.valueOf().length.toString() : "absent");
    const limits = config.getObj("limits");
    const rps = limits !== null ? limits.getInteger("rps") : null;
    report("limits.rps", rps !== null ? rps.valueOf().toString() : "absent");
    return true;
  }

  createContext(context_id: u32): Context {
    return new JsonFilter(context_id, this);
  }
}

class JsonFilter extends Context {
  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    // Client input: a bad body is not the filter's error, so nothing is logged for it.
    const text = stream_body.request.getString();
    const body = tryParseJsonObject(text !== null ? text : "");
    if (body === null) {
      report("client", "bad: " + lastJsonError());
      return FilterDataStatus.Continue;
    }
    const name = body.getString("name");
    report("client", "name " + (name !== null ? name.valueOf() : "absent"));
    // The parsed values, written back out by assemblyscript-json.
    if (body.has("echo")) report("echo", body.stringify());
    return FilterDataStatus.Continue;
  }

  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const root = <JsonRoot>this.root_context;
    for (let i: i64 = 0; i < root.count; i++) {
      stream_context.headers.response.add(root.header, root.value);
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((context_id: u32) => new JsonRoot(context_id), "json");
