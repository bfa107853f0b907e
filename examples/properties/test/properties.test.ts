// Drives the properties example through the host emulator with the attributes a real Envoy
// would have: node and route from xDS, the client's address, the plugin's identity.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Host } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const proxy = {
  "xds.node.id": "ingress-eu-1",
  "xds.node.metadata": { REGION: "eu-west-1", ZONE: "b" },
  "xds.route_name": "shop_route",
  "xds.cluster_name": "shop_backend",
};

async function start() {
  return Host.load(wasm, {
    rootId: "properties",
    pluginName: "attributes",
    vmId: "vm-properties",
    properties: proxy,
  });
}

test("plugin attributes are logged at configure time", async () => {
  const host = await start();
  assert.deepEqual(host.logs("info"), [
    "plugin attributes (root_id properties, vm_id vm-properties) on node ingress-eu-1",
  ]);
});

test("the upstream learns the client, node, region and route; the client ip goes to filter state", async () => {
  const host = await start();
  const http = host.newHttpContext();
  http.setProperty("source.address", "10.0.0.7:51234");
  http.setProperty("source.port", 51234);
  http.requestHeaders(
    {
      ":method": "GET",
      ":path": "/cart?id=3",
      ":authority": "shop.example.com",
      ":scheme": "https",
      "x-request-id": "req-42",
    },
    { endOfStream: true },
  );
  const sent = http.request.headers;
  assert.equal(sent.get("x-client-address"), "10.0.0.7:51234");
  assert.equal(sent.get("x-proxy-node"), "ingress-eu-1");
  assert.equal(sent.get("x-proxy-region"), "eu-west-1");
  assert.equal(sent.get("x-route-name"), "shop_route");
  assert.equal(http.filterState("wasm.client_ip")?.toString(), "10.0.0.7");

  http.responseHeaders({ ":status": "201" }, { endOfStream: true });
  http.complete();
  assert.equal(
    host.logs("info").at(-1),
    '10.0.0.7:51234 "GET /cart?id=3 HTTP/1.1" 201 host=shop.example.com id=req-42 port=51234 cluster=shop_backend',
  );
});

test("a client-sent header cannot fake the attributes", async () => {
  const host = await start();
  const http = host.newHttpContext();
  http.setProperty("source.address", "[2001:db8::1]:443");
  http.requestHeaders(
    { ":method": "GET", ":path": "/", ":authority": "a", "x-client-address": "127.0.0.1:1" },
    { endOfStream: true },
  );
  assert.deepEqual(http.request.headers.getAll("x-client-address"), ["[2001:db8::1]:443"]);
  assert.equal(http.filterState("wasm.client_ip")?.toString(), "2001:db8::1");
});

test("missing attributes are left out, not guessed", async () => {
  const host = await Host.load(wasm, { rootId: "properties" });
  assert.deepEqual(host.logs("info"), [
    "plugin properties (root_id properties, vm_id -) on node -",
  ]);
  const http = host.newHttpContext();
  http.requestHeaders(
    { ":method": "DELETE", ":path": "/x", ":authority": "a" },
    { endOfStream: true },
  );
  for (const name of ["x-client-address", "x-proxy-node", "x-proxy-region", "x-route-name"]) {
    assert.equal(http.request.headers.has(name), false, name);
  }
  assert.equal(http.filterState("wasm.client_ip"), undefined);
  http.complete(); // reset before a response
  assert.match(
    host.logs("info").at(-1)!,
    /^- "DELETE \/x HTTP\/1.1" - host=a id=- port=- cluster=-$/,
  );
});

test("the module imports only Proxy-Wasm hostcalls", () => {
  const module = new WebAssembly.Module(readFileSync(wasm));
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    assert.equal(from, "env", name);
    assert.match(name, /^proxy_/);
  }
});
