// Properties: Envoy `source/extensions/common/wasm/context.cc` (getProperty, setProperty,
// findValue, serializeValue) and `filters/common/expr/context.cc` (request.*, response.*).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, TypedValue, encodePairs } from "../../src/host/index.js";
import { filter, type Strings } from "./helpers.js";

/** WAT: get_property(path) and log "<label>=<result>", "<label>.hex=<bytes>". */
function getProp({ s }: Strings, path: string[], label: string, trailingNul = false): string {
  const raw = path.join("\0") + (trailingNul ? "\0" : "");
  return `
    (i32.store (i32.const 0x104) (i32.const 0))
    (call $log_num ${s(label)} (call $proxy_get_property ${s(raw)} (i32.const 0x100) (i32.const 0x104)))
    (call $log_hex ${s(label + ".hex")})`;
}

const hex = (v: string | Uint8Array) => Buffer.from(v).toString("hex");
const i64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(n);
  return b.toString("hex");
};

function logsToMap(logs: string[]): Record<string, string> {
  return Object.fromEntries(logs.map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

test("plugin_name, plugin_root_id, plugin_vm_id are the plugin's strings", async () => {
  const wasm = await filter(
    (str) => `(func (export "proxy_on_configure") (param i32 i32) (result i32)
      ${getProp(str, ["plugin_name"], "name")}
      ${getProp(str, ["plugin_root_id"], "root")}
      ${getProp(str, ["plugin_vm_id"], "vm")}
      ${getProp(str, ["plugin_vm_id"], "vm_nul", true)}
      ${getProp(str, ["no_such_thing"], "missing")}
      (i32.const 1))`,
  );
  const host = await Host.load(wasm, { rootId: "my_root", pluginName: "my_plugin", vmId: "my_vm" });
  const m = logsToMap(host.logs());
  assert.equal(m["name.hex"], hex("my_plugin"));
  assert.equal(m["root.hex"], hex("my_root"));
  assert.equal(m["vm.hex"], hex("my_vm"));
  assert.equal(m["vm_nul.hex"], hex("my_vm")); // a trailing NUL is tolerated
  assert.equal(m.missing, "1");
});

test("values are encoded as Envoy serializeValue: raw strings, 8-byte LE ints, 1-byte bools, pairs for maps and lists", async () => {
  const wasm = await filter(
    (str) => `(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      ${getProp(str, ["xds", "node", "id"], "node_id")}
      ${getProp(str, ["node", "id"], "old_node_id")}
      ${getProp(str, ["xds", "node", "metadata", "NAME"], "node_meta")}
      ${getProp(str, ["cluster_name"], "old_cluster")}
      ${getProp(str, ["xds", "cluster_name"], "cluster")}
      ${getProp(str, ["source", "port"], "port")}
      ${getProp(str, ["connection", "mtls"], "mtls")}
      ${getProp(str, ["xds", "node", "metadata"], "meta_map")}
      ${getProp(str, ["tags"], "list")}
      ${getProp(str, ["tags", "1"], "list_1")}
      ${getProp(str, ["ratio"], "double")}
      ${getProp(str, ["big"], "uint64")}
      ${getProp(str, ["source", "address"], "stream_local")}
      (i32.const 0))`,
  );
  const host = await Host.load(wasm, {
    properties: {
      "xds.node": { id: "node-1", metadata: { NAME: "svc" } },
      cluster_name: "backend",
      "source.port": 8080,
      "connection.mtls": true,
      tags: ["a", "b"],
      ratio: 0.5,
      big: TypedValue.uint64(2n ** 63n),
    },
  });
  const http = host.newHttpContext();
  http.setProperty("source.address", "10.0.0.1:1234");
  http.requestHeaders({ ":path": "/" });
  const m = logsToMap(host.logs());
  assert.equal(m["node_id.hex"], hex("node-1"));
  assert.equal(m["old_node_id.hex"], hex("node-1")); // both the old and the xds.* names resolve
  assert.equal(m["node_meta.hex"], hex("svc"));
  assert.equal(m["old_cluster.hex"], hex("backend"));
  assert.equal(m["cluster.hex"], hex("backend"));
  assert.equal(m["port.hex"], i64(8080n));
  assert.equal(m["mtls.hex"], "01");
  assert.equal(m["meta_map.hex"], encodePairs([["NAME", "svc"]]).toString("hex"));
  assert.equal(
    m["list.hex"],
    encodePairs([
      ["a", ""],
      ["b", ""],
    ]).toString("hex"),
  );
  assert.equal(m["list_1.hex"], hex("b"));
  const d = Buffer.alloc(8);
  d.writeDoubleLE(0.5);
  assert.equal(m["double.hex"], d.toString("hex"));
  assert.equal(m["uint64.hex"], "0000000000000080");
  assert.equal(m["stream_local.hex"], hex("10.0.0.1:1234"));
});

test("request.* comes from the request headers while readable, then NotFound; readable again in on_log", async () => {
  const fields = (str: Strings, phase: string) =>
    ["path", "url_path", "host", "scheme", "method", "referer", "useragent", "id", "query"]
      .map((f) => getProp(str, ["request", f], `${phase}.${f}`))
      .join("\n") +
    getProp(str, ["request", "headers", "x-dup"], `${phase}.hdr`) +
    getProp(str, ["request", "time"], `${phase}.time`) +
    getProp(str, ["request", "protocol"], `${phase}.protocol`) +
    getProp(str, ["response", "code"], `${phase}.code`);
  const wasm = await filter(
    (str) => `
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) ${fields(str, "req")} (i32.const 0))
    (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32) ${fields(str, "res")} (i32.const 0))
    (func (export "proxy_on_log") (param i32) ${fields(str, "log")})`,
  );
  const start = Date.parse("2024-05-06T07:08:09Z");
  const host = await Host.load(wasm, { time: start });
  const http = host.newHttpContext();
  http.requestHeaders([
    [":path", "/a/b?x=1&y=2"],
    [":authority", "example.com"],
    [":scheme", "https"],
    [":method", "POST"],
    ["referer", "r"],
    ["user-agent", "ua"],
    ["x-request-id", "rid"],
    ["x-dup", "1"],
    ["x-dup", "2"],
  ]);
  http.responseHeaders({ ":status": "418" });
  http.complete();
  const m = logsToMap(host.logs());
  const expect = {
    path: "/a/b?x=1&y=2",
    url_path: "/a/b",
    host: "example.com",
    scheme: "https",
    method: "POST",
    referer: "r",
    useragent: "ua",
    id: "rid",
    query: "x=1&y=2",
  };
  for (const [f, v] of Object.entries(expect)) {
    assert.equal(m[`req.${f}.hex`], hex(v), `req.${f}`);
    assert.equal(m[`res.${f}`], "1", `res.${f} is NotFound once the headers are gone`);
    assert.equal(m[`log.${f}.hex`], hex(v), `log.${f}`);
  }
  assert.equal(m["req.hdr.hex"], hex("1,2")); // repeated headers joined with ","
  assert.equal(m["res.hdr"], "1");
  // request.time and request.protocol come from stream info and always resolve.
  assert.equal(m["req.time.hex"], i64(BigInt(start) * 1000000n));
  assert.equal(m["res.time.hex"], i64(BigInt(start) * 1000000n));
  assert.equal(m["res.protocol.hex"], hex("HTTP/1.1"));
  assert.equal(m["req.code"], "1");
  assert.equal(m["res.code.hex"], i64(418n));
  assert.equal(m["log.code.hex"], i64(418n));
});

test("set_property writes filter state wasm.<name>: NotFound on a root context, readable back on the stream", async () => {
  const wasm = await filter(
    (str) => `
    (func (export "proxy_on_configure") (param i32 i32) (result i32)
      (call $log_num ${str.s("root.set")} (call $proxy_set_property ${str.s("my_key")} ${str.s("v1")}))
      (i32.const 1))
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      ${getProp(str, ["my_key"], "before")}
      (call $log_num ${str.s("stream.set")} (call $proxy_set_property ${str.s("my_key")} ${str.s("v2")}))
      ${getProp(str, ["my_key"], "after")}
      (i32.const 0))`,
  );
  const host = await Host.load(wasm);
  const a = host.newHttpContext();
  a.requestHeaders({ ":path": "/" });
  const b = host.newHttpContext();
  b.requestHeaders({ ":path": "/" });
  const m = host.logs();
  assert.deepEqual(m, [
    "root.set=1",
    "before=1",
    "before.hex=",
    "stream.set=0",
    "after=0",
    `after.hex=${hex("v2")}`,
    // filter state is per stream: the second stream starts without it
    "before=1",
    "before.hex=",
    "stream.set=0",
    "after=0",
    `after.hex=${hex("v2")}`,
  ]);
  assert.equal(a.filterState("wasm.my_key")?.toString(), "v2");
});

test("host.setProperty changes what later calls see", async () => {
  const wasm = await filter(
    (str) => `(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      ${getProp(str, ["listener_direction"], "dir")} (i32.const 0))`,
  );
  const host = await Host.load(wasm);
  host.newHttpContext().requestHeaders({});
  host.setProperty("xds.listener_direction", 1);
  host.newHttpContext().requestHeaders({});
  assert.deepEqual(host.logs(), ["dir=1", "dir.hex=", "dir=0", `dir.hex=${i64(1n)}`]);
});

test("stream info properties: sizes, grpc_status, code_details, duration only in on_log", async () => {
  const wasm = await filter(
    (str) => `
    (func (export "proxy_on_response_trailers") (param i32 i32) (result i32)
      ${getProp(str, ["request", "size"], "req_size")}
      ${getProp(str, ["response", "grpc_status"], "grpc_status")}
      ${getProp(str, ["response", "code_details"], "details")}
      ${getProp(str, ["request", "duration"], "duration_early")}
      (i32.const 0))
    (func (export "proxy_on_log") (param i32)
      ${getProp(str, ["request", "duration"], "duration")}
      ${getProp(str, ["response", "size"], "res_size")})`,
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" });
  http.requestBody("12345", { endOfStream: true });
  http.responseHeaders({ ":status": "200" });
  http.responseBody("abc");
  http.responseTrailers({ "grpc-status": "5" });
  host.clock.advance(7);
  http.complete();
  const m = logsToMap(host.logs());
  assert.equal(m["req_size.hex"], i64(5n));
  assert.equal(m["grpc_status.hex"], i64(5n));
  assert.equal(m["details.hex"], hex("via_upstream"));
  assert.equal(m.duration_early, "1");
  assert.equal(m["duration.hex"], i64(7000000n));
  assert.equal(m["res_size.hex"], i64(3n));
});
