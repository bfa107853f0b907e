// Property wrappers (typed getters, raw / string / int / bool / map getters, array paths,
// set_property) through tests/filters/properties.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, TypedValue } from "proxy-wasm-as/host";
import { filterWasm, mark, reports } from "./helpers.ts";

const wasm = filterWasm("properties");
const START = new Date("2025-01-02T03:04:05.678Z");

async function load() {
  return Host.load(wasm, {
    rootId: "properties",
    pluginName: "props-plugin",
    vmId: "vm-7",
    time: START,
    properties: {
      "source.address": "10.1.2.3:40000",
      "source.port": 40000,
      "destination.address": "10.9.9.9:8080",
      "destination.port": 8080,
      "connection.id": TypedValue.uint64(4242),
      "connection.mtls": true,
      "connection.requested_server_name": "api.example.com",
      "xds.node": { id: "sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local" },
      cluster_name: "outbound|80||backend", // the pre-#36619 top-level name still works
      "xds.route_name": "default-route",
      "xds.listener_direction": 2,
    },
  });
}

test("root context: plugin attributes readable, set_property is NotFound", async () => {
  const host = await load();
  const r = reports(host);
  assert.equal(r["root.plugin.name"], "[props-plugin]");
  assert.equal(r["root.plugin.root_id"], "[properties]");
  assert.equal(r["root.plugin.vm_id"], "[vm-7]");
  assert.equal(r["root.set_property"], "1");
});

test("typed getters of request, source, destination, connection, xds and plugin attributes", async () => {
  const host = await load();
  host.setProperty(["metadata", "filter_metadata", "envoy.lb"], { canary: "yes" });
  const http = host.newHttpContext();
  http.setProperty("request.size", 1234);
  const from = mark(host);
  http.requestHeaders({
    ":method": "POST",
    ":path": "/api/v1?x=1&y=2",
    ":authority": "shop.example.com",
    ":scheme": "https",
    "x-request-id": "req-99",
    "user-agent": "curl/8",
    referer: "https://ref.example/",
    "x-multi": ["a", "b"],
    "x-case": "attributes",
  });
  const r = reports(host, from);
  assert.equal(r["request.path"], "[/api/v1?x=1&y=2]");
  assert.equal(r["request.url_path"], "[/api/v1]");
  assert.equal(r["request.host"], "[shop.example.com]");
  assert.equal(r["request.method"], "[POST]");
  assert.equal(r["request.scheme"], "[https]");
  assert.equal(r["request.query"], "[x=1&y=2]");
  assert.equal(r["request.id"], "[req-99]");
  assert.equal(r["request.useragent"], "[curl/8]");
  assert.equal(r["request.referer"], "[https://ref.example/]");
  assert.equal(r["request.protocol"], "[HTTP/1.1]");
  assert.equal(r["request.time"], String(BigInt(START.getTime()) * 1_000_000n));
  assert.equal(r["request.size"], "1234");
  assert.equal(r["source.address"], "[10.1.2.3:40000]");
  assert.equal(r["source.port"], "40000");
  assert.equal(r["destination.address"], "[10.9.9.9:8080]");
  assert.equal(r["destination.port"], "8080");
  assert.equal(r["connection.id"], "4242");
  assert.equal(r["connection.mtls"], "true");
  assert.equal(r["connection.requested_server_name"], "[api.example.com]");
  assert.equal(r["xds.node_id"], "[sidecar~10.0.0.1~pod.ns~ns.svc.cluster.local]");
  assert.equal(r["xds.cluster_name"], "[outbound|80||backend]");
  assert.equal(r["xds.route_name"], "[default-route]");
  assert.equal(r["xds.listener_direction"], "2");
  assert.equal(r["plugin.name"], "[props-plugin]");
  assert.equal(r["plugin.root_id"], "[properties]");
  assert.equal(r["plugin.vm_id"], "[vm-7]");
  assert.equal(r["request.headers.count"], "9", "a map property: one entry per name");
  assert.equal(r["request.headers.x-multi"], "[a,b]", "repeated headers joined with ','");
  assert.equal(r["metadata.lb"], "[yes]");
  assert.equal(r["metadata.lb.bytes"], "3");
  assert.equal(r["dotted.wrong"], "null", "a dotted string splits 'envoy.lb' in two");
});

test("missing or mistyped properties: null, or a Result that is not ok (NotFound, SerializationFailure)", async () => {
  const host = await load();
  const http = host.newHttpContext();
  const from = mark(host);
  http.requestHeaders({ ":path": "/p", "x-case": "missing" });
  const r = reports(host, from);
  assert.equal(r["getProperty"], "null");
  assert.equal(r["getPropertyString"], "null");
  assert.equal(r["getPropertyInt.missing"], "not ok 1");
  assert.equal(r["getPropertyInt.notInt"], "not ok 3");
  assert.equal(r["getPropertyBool.missing"], "1");
  assert.equal(r["getPropertyBool.notBool"], "3");
  assert.equal(r["getPropertyMap"], "null");
  assert.equal(r["getPropertyStringAt"], "null");
  assert.equal(r["getPropertyAt"], "null");
});

test("setProperty writes the filter state wasm.<path> and reads back", async () => {
  const host = await load();
  const http = host.newHttpContext();
  const from = mark(host);
  http.requestHeaders({ ":path": "/p", "x-case": "set" });
  const r = reports(host, from);
  assert.equal(r["setProperty"], "0");
  assert.equal(r["setPropertyString"], "0");
  assert.equal(r["readback"], "[bytes!]");
  assert.equal(http.filterState("wasm.my_prop")?.toString(), "bytes!");
  // A dotted name is sent as NUL-separated segments.
  assert.equal(http.filterState("wasm.my\0nested")?.toString(), "dotted");
});

test("after the headers went on, request.* is gone but request.time and protocol remain; response.*", async () => {
  const host = await load();
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/p", "x-case": "later" });
  let from = mark(host);
  http.requestBody("b", { endOfStream: true });
  let r = reports(host, from);
  assert.equal(r["body.request.path"], "null");
  assert.equal(r["body.request.time"], String(BigInt(START.getTime()) * 1_000_000n));
  assert.equal(r["body.request.protocol"], "[HTTP/1.1]");
  http.setProperty("response.size", 512);
  from = mark(host);
  http.responseHeaders({ ":status": "418" });
  r = reports(host, from);
  assert.equal(r["response.code"], "418");
  assert.equal(r["response.code_details"], "[via_upstream]");
  assert.equal(r["response.size"], "512");
});
