// Test filter for the property wrappers: typed getters of Envoy attributes, raw / string / int /
// bool / map getters, paths with dots inside a segment, set_property. Results logged as key=value.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterDataStatus,
  FilterHeadersStatus,
  LogLevel,
  Result,
  RootContext,
  connection,
  destination,
  findHeader,
  getProperty,
  getPropertyAt,
  getPropertyBool,
  getPropertyInt,
  getPropertyMap,
  getPropertyString,
  getPropertyStringAt,
  log,
  plugin,
  registerRootContext,
  request,
  requestHeaders,
  response,
  setProperty,
  setPropertyString,
  source,
  xds,
} from "proxy-wasm-as";

function report(key: string, value: string): void {
  log(LogLevel.Info, key + "=" + value);
}

function int(value: Result<i64>): string {
  return value.ok ? value.value.toString() : "not ok " + (<i32>value.status).toString();
}

function orNull(value: string | null): string {
  return value !== null ? "[" + value + "]" : "null";
}

class PropertiesRoot extends RootContext {
  onConfigure(configuration_size: u32): bool {
    report("root.plugin.name", orNull(plugin.name()));
    report("root.plugin.root_id", orNull(plugin.rootId()));
    report("root.plugin.vm_id", orNull(plugin.vmId()));
    // A root context has no stream info to write to.
    report("root.set_property", (<i32>setPropertyString("from_root", "x")).toString());
    return super.onConfigure(configuration_size);
  }

  createContext(contextId: u32): Context {
    return new PropertiesFilter(contextId, this);
  }
}

class PropertiesFilter extends Context {
  testCase: string = "";

  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const testCase = requestHeaders.get("x-case");
    this.testCase = testCase !== null ? testCase : "";
    if (this.testCase == "attributes") {
      report("request.path", orNull(request.path()));
      report("request.url_path", orNull(request.urlPath()));
      report("request.host", orNull(request.host()));
      report("request.method", orNull(request.method()));
      report("request.scheme", orNull(request.scheme()));
      report("request.query", orNull(request.query()));
      report("request.id", orNull(request.id()));
      report("request.useragent", orNull(request.userAgent()));
      report("request.referer", orNull(request.referer()));
      report("request.protocol", orNull(request.protocol()));
      report("request.time", int(request.time()));
      report("request.size", int(request.size()));
      report("source.address", orNull(source.address()));
      report("source.port", int(source.port()));
      report("destination.address", orNull(destination.address()));
      report("destination.port", int(destination.port()));
      report("connection.id", int(connection.id()));
      const mtls = connection.mtls();
      report("connection.mtls", mtls.ok ? (mtls.value ? "true" : "false") : "not ok");
      report("connection.requested_server_name", orNull(connection.requestedServerName()));
      report("xds.node_id", orNull(xds.nodeId()));
      report("xds.cluster_name", orNull(xds.clusterName()));
      report("xds.route_name", orNull(xds.routeName()));
      report("xds.listener_direction", int(xds.listenerDirection()));
      report("plugin.name", orNull(plugin.name()));
      report("plugin.root_id", orNull(plugin.rootId()));
      report("plugin.vm_id", orNull(plugin.vmId()));
      const headers = getPropertyMap("request.headers");
      report("request.headers.count", headers !== null ? headers.length.toString() : "null");
      report(
        "request.headers.x-multi",
        headers !== null ? orNull(findHeader(headers, "x-multi")) : "null",
      );
      // A segment with a dot in it needs the array form.
      report(
        "metadata.lb",
        orNull(getPropertyStringAt(["metadata", "filter_metadata", "envoy.lb", "canary"])),
      );
      const raw = getPropertyAt(["metadata", "filter_metadata", "envoy.lb", "canary"]);
      report("metadata.lb.bytes", raw !== null ? raw.byteLength.toString() : "null");
      report("dotted.wrong", orNull(getPropertyString("metadata.filter_metadata.envoy.lb.canary")));
    } else if (this.testCase == "missing") {
      report("getProperty", getProperty("no_such_thing") === null ? "null" : "not null");
      report("getPropertyString", orNull(getPropertyString("no_such_thing")));
      report("getPropertyInt.missing", int(getPropertyInt("no_such_thing")));
      report("getPropertyInt.notInt", int(getPropertyInt("request.path")));
      const missingBool = getPropertyBool("no_such_thing");
      report("getPropertyBool.missing", (<i32>missingBool.status).toString());
      report("getPropertyBool.notBool", (<i32>getPropertyBool("request.path").status).toString());
      report("getPropertyMap", getPropertyMap("no_such_thing") === null ? "null" : "not null");
      report("getPropertyStringAt", orNull(getPropertyStringAt(["request", "nope"])));
      report("getPropertyAt", getPropertyAt(["nope"]) === null ? "null" : "not null");
    } else if (this.testCase == "set") {
      report("setProperty", (<i32>setProperty("my_prop", String.UTF8.encode("bytes!"))).toString());
      report("setPropertyString", (<i32>setPropertyString("my.nested", "dotted")).toString());
      report("readback", orNull(getPropertyString("my_prop")));
    }
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    // The request headers are gone: header-derived attributes too, but not request.time.
    report("body.request.path", orNull(request.path()));
    report("body.request.time", int(request.time()));
    report("body.request.protocol", orNull(request.protocol()));
    return FilterDataStatus.Continue;
  }

  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    report("response.code", int(response.code()));
    report("response.code_details", orNull(response.codeDetails()));
    report("response.size", int(response.size()));
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new PropertiesRoot(contextId), "properties");
