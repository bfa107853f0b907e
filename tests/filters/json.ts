// Test filter for JSON configuration: the plugin configuration is parsed with parseJsonObject;
// invalid JSON or a non-object makes onConfigure return false (the SDK logs why). A valid one sets
// the response header the streams add. The VM configuration goes through the same check.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterDataStatus,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  jsonSyntaxError,
  log,
  parseJsonObject,
  registerRootContext,
  requestBody,
  responseHeaders,
  tryParseJsonObject,
  vmConfiguration,
} from "proxy-wasm-as";

function report(key: string, value: string): void {
  log(LogLevel.Info, key + "=" + value);
}

class JsonRoot extends RootContext {
  header: string = "x-configured";
  value: string = "default";
  count: i64 = 1;

  onStart(vm_configuration_size: usize): bool {
    const text = vmConfiguration.getString();
    if (text === null || text == "") return true;
    return parseJsonObject(text, "vm configuration") !== null;
  }

  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    const text = this.getConfiguration();
    const syntaxError = jsonSyntaxError(text);
    report("syntax", syntaxError === null ? "ok" : "bad: " + syntaxError);
    if (text == "") return true;
    const config = parseJsonObject(text);
    if (config === null) {
      const why = jsonSyntaxError(text);
      report("rejected", why !== null ? why : "expected a JSON object");
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

  createContext(contextId: u32): Context {
    return new JsonFilter(contextId, this);
  }
}

class JsonFilter extends Context {
  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    // Client input: a bad body is not the filter's error, so nothing is logged for it.
    const text = requestBody.getString();
    const input = text !== null ? text : "";
    const body = tryParseJsonObject(input);
    if (body === null) {
      const why = jsonSyntaxError(input);
      report("client", "bad: " + (why !== null ? why : "expected a JSON object"));
      return FilterDataStatus.Continue;
    }
    const name = body.getString("name");
    report("client", "name " + (name !== null ? name.valueOf() : "absent"));
    // The parsed values, written back out by assemblyscript-json.
    if (body.has("echo")) report("echo", body.stringify());
    return FilterDataStatus.Continue;
  }

  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const root = <JsonRoot>this.rootContext;
    for (let i: i64 = 0; i < root.count; i++) {
      responseHeaders.add(root.header, root.value);
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new JsonRoot(contextId), "json");
