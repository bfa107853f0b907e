// Drives http_routing through the host emulator: the header Envoy routes on, per user.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Action, Host } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);

async function load(pluginConfig: object) {
  return Host.load(wasm, { rootId: "http_routing", pluginConfig });
}

function route(host: Host, headers: Record<string, string>): { to?: string; servedBy?: string } {
  const http = host.newHttpContext();
  const base = { ":method": "GET", ":path": "/", ":authority": "shop.example.com" };
  assert.equal(
    http.requestHeaders({ ...base, ...headers }, { endOfStream: true }),
    Action.Continue,
  );
  http.responseHeaders({ ":status": "200" }, { endOfStream: true });
  http.complete();
  return {
    to: http.request.headers.get("x-route-to"),
    servedBy: http.response.headers.get("x-served-by"),
  };
}

test("about canary_percent of the users go to the canary, each one always the same way", async () => {
  const host = await load({ canary_percent: 20 });
  const users = Array.from({ length: 1000 }, (_, i) => `user-${i}`);
  const first = users.map((u) => route(host, { "x-user-id": u }).to);
  const canary = first.filter((v) => v === "canary").length;
  assert.ok(canary > 150 && canary < 250, `${canary} of 1000 on the canary`);
  assert.ok(first.every((v) => v === "canary" || v === "primary"));
  // A second request of each user is routed like the first.
  assert.deepEqual(
    users.map((u) => route(host, { "x-user-id": u }).to),
    first,
  );
});

test("the client sees which version answered", async () => {
  const host = await load({ canary_percent: 100 });
  assert.deepEqual(route(host, { "x-user-id": "alice" }), { to: "canary", servedBy: "canary" });
  assert.ok(host.logs("debug").includes("routing alice to canary"));
});

test("anonymous requests and 0% stay on primary; 100% sends every user to the canary", async () => {
  assert.deepEqual(route(await load({ canary_percent: 100 }), {}), {
    to: "primary",
    servedBy: "primary",
  });
  const none = await load({ canary_percent: 0 });
  for (let i = 0; i < 50; i++) assert.equal(route(none, { "x-user-id": `u${i}` }).to, "primary");
});

test("a client cannot pick the route itself", async () => {
  const host = await load({ canary_percent: 0 });
  const http = host.newHttpContext();
  http.requestHeaders(
    {
      ":method": "GET",
      ":path": "/",
      ":authority": "a",
      "x-user-id": "bob",
      "x-route-to": "canary",
    },
    { endOfStream: true },
  );
  assert.deepEqual(http.request.headers.getAll("x-route-to"), ["primary"]);
});

test("user_header chooses the header that identifies users", async () => {
  const host = await load({ canary_percent: 100, user_header: "x-account" });
  assert.equal(route(host, { "x-user-id": "carol" }).to, "primary");
  assert.equal(route(host, { "x-account": "carol" }).to, "canary");
});

test("a bad configuration stops the plugin with a log line that says why", async () => {
  const cases: [unknown, RegExp][] = [
    ["{}", /canary_percent must be an integer from 0 to 100/],
    [{ canary_percent: 101 }, /canary_percent must be an integer from 0 to 100/],
    [{ canary_percent: -1 }, /canary_percent must be an integer from 0 to 100/],
    [{ canary_percent: "20" }, /canary_percent must be an integer from 0 to 100/],
    [{ canary_percent: 20.5 }, /canary_percent must be an integer from 0 to 100/],
    [{ canary_percent: 20, user_header: "" }, /user_header must be a non-empty string/],
    ["canary=20", /http_routing configuration is not valid JSON/],
  ];
  for (const [pluginConfig, message] of cases) {
    await assert.rejects(
      Host.load(wasm, { rootId: "http_routing", pluginConfig: pluginConfig as object }),
      { name: "StartError", message },
    );
  }
});

test("the module imports only Proxy-Wasm hostcalls", () => {
  const module = new WebAssembly.Module(readFileSync(wasm));
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    assert.equal(from, "env", name);
    assert.match(name, /^proxy_/);
  }
});
