// Test filter for the property wrappers: typed getters of Envoy attributes, raw / string / int /
// bool / map getters, paths with dots inside a segment, set_property. Results logged as key=value.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterDataStatus,
  FilterHeadersStatus,
  RootContext,
  connection,
  destination,
  encodePropertyPath,
  findHeader,
  getProperty,
  getPropertyAt,
  getPropertyBool,
  getPropertyInt,
  getPropertyMap,
  getPropertyString,
  getPropertyStringAt,
  get_property,
  logInfo,
  plugin,
  registerRootContext,
  request,
  response,
  set_property,
  setPropertyString,
  source,
  stream_context,
  xds,
} from "proxy-wasm-as";

function report(key: string, value: string): void {
  logInfo(key + "=" + value);
}

function orNull(value: string | null): string {
  return value !== null ? "[" + value + "]" : "null";
}

class PropertiesRoot extends RootContext {
  onConfigure(configuration_size: u32): bool {
    report("root.plugin.name", orNull(plugin.name()));
    report("root.plugin.root_id", orNull(plugin.root_id()));
    report("root.plugin.vm_id", orNull(plugin.vm_id()));
    // A root context has no stream info to write to.
    report("root.set_property", (<i32>setPropertyString("from_root", "x")).toString());
    return super.onConfigure(configuration_size);
  }

  createContext(context_id: u32): Context {
    return new PropertiesFilter(context_id, this);
  }
}

class PropertiesFilter extends Context {
  testCase: string = "";

  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    this.testCase = stream_context.headers.request.get("x-case");
    if (this.testCase == "attributes") {
      report("request.path", orNull(request.path()));
      report("request.url_path", orNull(request.url_path()));
      report("request.host", orNull(request.host()));
      report("request.method", orNull(request.method()));
      report("request.scheme", orNull(request.scheme()));
      report("request.query", orNull(request.query()));
      report("request.id", orNull(request.id()));
      report("request.useragent", orNull(request.useragent()));
      report("request.referer", orNull(request.referer()));
      report("request.protocol", orNull(request.protocol()));
      report("request.time", request.time().toString());
      report("request.size", request.size().toString());
      report("source.address", orNull(source.address()));
      report("source.port", source.port().toString());
      report("destination.address", orNull(destination.address()));
      report("destination.port", destination.port().toString());
      report("connection.id", connection.id().toString());
      report("connection.mtls", connection.mtls() ? "true" : "false");
      report("connection.requested_server_name", orNull(connection.requested_server_name()));
      report("xds.node_id", orNull(xds.node_id()));
      report("xds.cluster_name", orNull(xds.cluster_name()));
      report("xds.route_name", orNull(xds.route_name()));
      report("xds.listener_direction", xds.listener_direction().toString());
      report("plugin.name", orNull(plugin.name()));
      report("plugin.root_id", orNull(plugin.root_id()));
      report("plugin.vm_id", orNull(plugin.vm_id()));
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
      report("get_property.length", get_property("no_such_thing").byteLength.toString());
      report("getProperty", getProperty("no_such_thing") === null ? "null" : "not null");
      report("getPropertyString", orNull(getPropertyString("no_such_thing")));
      report("getPropertyInt.missing", getPropertyInt("no_such_thing", 77).toString());
      report("getPropertyInt.notInt", getPropertyInt("request.path", 78).toString());
      report("getPropertyInt.default", getPropertyInt("no_such_thing").toString());
      report("getPropertyBool.missing", getPropertyBool("no_such_thing", true) ? "true" : "false");
      report("getPropertyBool.notBool", getPropertyBool("request.path") ? "true" : "false");
      report("getPropertyMap", getPropertyMap("no_such_thing") === null ? "null" : "not null");
      report("getPropertyStringAt", orNull(getPropertyStringAt(["request", "nope"])));
      report("getPropertyAt", getPropertyAt(["nope"]) === null ? "null" : "not null");
      const path = encodePropertyPath(["a", "b.c", "d"]);
      report("encodePropertyPath.length", path.byteLength.toString());
      report("encodePropertyPath.nul", load<u8>(changetype<usize>(path) + 1).toString());
    } else if (this.testCase == "set") {
      report(
        "set_property",
        (<i32>set_property("my_prop", String.UTF8.encode("bytes!"))).toString(),
      );
      report("setPropertyString", (<i32>setPropertyString("my.nested", "dotted")).toString());
      report("readback", orNull(getPropertyString("my_prop")));
    }
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    // The request headers are gone: header-derived attributes too, but not request.time.
    report("body.request.path", orNull(request.path()));
    report("body.request.time", request.time().toString());
    report("body.request.protocol", orNull(request.protocol()));
    return FilterDataStatus.Continue;
  }

  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    report("response.code", response.code().toString());
    report("response.code_details", orNull(response.code_details()));
    report("response.size", response.size().toString());
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((context_id: u32) => new PropertiesRoot(context_id), "properties");
