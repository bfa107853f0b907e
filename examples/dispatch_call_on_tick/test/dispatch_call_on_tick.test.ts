// Drives dispatch_call_on_tick through the host emulator: the virtual clock fires the timer and
// the test plays the policy service.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Action, Host } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const config = { cluster: "policy", path: "/blocked-paths", period_ms: 10000 };

async function start(pluginConfig: object = config) {
  return Host.load(wasm, { rootId: "dispatch_call_on_tick", pluginConfig, clusters: ["policy"] });
}

function get(host: Host, path: string): number {
  const http = host.newHttpContext();
  const action = http.requestHeaders(
    { ":method": "GET", ":path": path, ":authority": "a" },
    { endOfStream: true },
  );
  if (action === Action.Continue) return 0;
  return http.sentLocalResponse?.status ?? -1;
}

test("nothing is fetched before the first tick, and nothing is blocked", async () => {
  const host = await start();
  assert.equal(host.callouts.length, 0);
  assert.equal(get(host, "/admin"), 0);
  assert.equal(host.tick(9999), 0);
  assert.equal(host.callouts.length, 0);
});

test("each tick fetches the list from the root context; streams enforce it", async () => {
  const host = await start();
  assert.equal(host.tick(10000), 1);
  const [call] = host.callouts;
  assert.equal(call.cluster, "policy");
  assert.equal(call.headers.get(":path"), "/blocked-paths");
  assert.equal(call.headers.get(":authority"), "policy");
  assert.equal(call.plugin, host.plugin, "made by the root context");
  host.respondToCallout(call, { body: "/admin\n/debug/pprof\nnot-a-path\n\n" });
  assert.ok(host.logs("info").includes("policy updated: 2 blocked paths"));
  assert.equal(get(host, "/admin"), 403);
  assert.equal(get(host, "/admin?user=root"), 403, "the query string does not matter");
  assert.equal(get(host, "/debug/pprof"), 403);
  assert.equal(get(host, "/administrator"), 0);
  assert.equal(get(host, "/"), 0);

  // Ten seconds later the list changes.
  host.tick(10000);
  host.respondToCallout(host.callouts[0], { body: "/debug/pprof\n" });
  assert.equal(get(host, "/admin"), 0);
  assert.equal(get(host, "/debug/pprof"), 403);
});

test("a failed fetch keeps the last good list", async () => {
  const host = await start();
  host.tick(10000);
  host.respondToCallout(host.callouts[0], { body: "/admin\n" });
  host.tick(10000);
  host.respondToCallout(host.callouts[0], { status: 500, body: "/nothing\n" });
  host.tick(10000);
  host.respondToCallout(host.callouts[0], "reset");
  assert.equal(get(host, "/admin"), 403);
  assert.deepEqual(host.logs("warn"), [
    "policy fetch failed; keeping 1 blocked paths",
    "policy fetch failed; keeping 1 blocked paths",
  ]);
});

test("a slow service does not pile up calls", async () => {
  const host = await start({ ...config, period_ms: 1000 });
  assert.equal(host.tick(4000), 4, "four ticks");
  assert.equal(host.callouts.length, 1, "but one call in flight");
  host.tick(2000); // sent at 1 s, the call times out at 6 s: Envoy answers 504
  assert.equal(host.callouts.length, 0);
  assert.deepEqual(host.logs("warn"), ["policy fetch failed; keeping 0 blocked paths"]);
  host.tick(1000);
  assert.equal(host.callouts.length, 1, "the next tick tries again");
});

test("a bad configuration stops the plugin with a log line that says why", async () => {
  const cases: [unknown, RegExp][] = [
    ["", /dispatch_call_on_tick configuration is not valid JSON/],
    [{ path: "/x", period_ms: 1000 }, /needs "cluster" and a "path" starting with "\/"/],
    [
      { cluster: "policy", path: "x", period_ms: 1000 },
      /needs "cluster" and a "path" starting with "\/"/,
    ],
    [{ cluster: "policy", path: "/x" }, /period_ms must be an integer from 100 to 3600000/],
    [
      { cluster: "policy", path: "/x", period_ms: 5 },
      /period_ms must be an integer from 100 to 3600000/,
    ],
  ];
  for (const [pluginConfig, message] of cases) {
    await assert.rejects(start(pluginConfig as object), { name: "StartError", message });
  }
});

test("the module imports only Proxy-Wasm hostcalls", () => {
  const module = new WebAssembly.Module(readFileSync(wasm));
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    assert.equal(from, "env", name);
    assert.match(name, /^proxy_/);
  }
});
