// Drives multiple_dispatches through the host emulator; the test answers the parallel callouts
// in any order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Action, Host } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const config = {
  cluster: "httpbin",
  authority: "httpbin.org",
  paths: ["/status/200", "/uuid", "/delay/1"],
};
const request = { ":method": "GET", ":path": "/report", ":authority": "example.com" };

async function start(pluginConfig: object = config, clusters = ["httpbin"]) {
  const host = await Host.load(wasm, { rootId: "multiple_dispatches", pluginConfig, clusters });
  const http = host.newHttpContext();
  return { host, http };
}

test("every callout is sent at once, and the request waits", async () => {
  const { host, http } = await start();
  assert.equal(http.requestHeaders(request, { endOfStream: true }), Action.Pause);
  assert.deepEqual(
    host.callouts.map((c) => [
      c.cluster,
      c.headers.get(":path"),
      c.headers.get(":authority"),
      c.timeoutMs,
    ]),
    [
      ["httpbin", "/status/200", "httpbin.org", 5000],
      ["httpbin", "/uuid", "httpbin.org", 5000],
      ["httpbin", "/delay/1", "httpbin.org", 5000],
    ],
  );
  assert.equal(http.request.headersForwarded, false);
});

test("the request goes on after the last answer, with every result in order", async () => {
  const { host, http } = await start();
  http.requestHeaders(request, { endOfStream: true });
  const [status, uuid, delay] = host.callouts;
  host.respondToCallout(delay, { status: 200, body: "{}" });
  host.respondToCallout(status, { status: 200 });
  assert.equal(http.request.headersForwarded, false, "one call still pending");
  host.respondToCallout(uuid, { status: 503 });
  assert.equal(http.request.headersForwarded, true);
  assert.equal(http.request.headers.get("x-dispatch-results"), "200,503,200");
  assert.deepEqual(host.logs("info"), [
    "callout 2 answered 200, 2 pending",
    "callout 0 answered 200, 1 pending",
    "callout 1 answered 503, 0 pending",
  ]);
});

test("a reset and a timeout count as failed, not as a hang", async () => {
  const { host, http } = await start();
  http.requestHeaders(request, { endOfStream: true });
  const [first, second] = host.callouts;
  host.respondToCallout(first, "reset");
  host.respondToCallout(second, { status: 200 });
  host.tick(5000); // the third one times out: Envoy answers 504
  assert.equal(http.request.headers.get("x-dispatch-results"), "failed,200,504");
  assert.equal(http.request.paused, false);
});

test("calls the proxy refuses are failed at once; with none sent the request is not held", async () => {
  const { host, http } = await start(config, ["some-other-cluster"]);
  assert.equal(http.requestHeaders(request, { endOfStream: true }), Action.Continue);
  assert.equal(host.callouts.length, 0);
  assert.equal(http.request.headers.get("x-dispatch-results"), "failed,failed,failed");
  assert.equal(host.logs("warn").length, 3);
});

test("concurrent requests keep their own calls apart", async () => {
  const { host, http: a } = await start({ cluster: "httpbin", paths: ["/a", "/b"] });
  a.requestHeaders(request, { endOfStream: true });
  const b = host.newHttpContext();
  b.requestHeaders(request, { endOfStream: true });
  assert.equal(
    host.callouts[0].headers.get(":authority"),
    "httpbin",
    "authority defaults to the cluster",
  );
  const [a1, a2, b1, b2] = host.callouts;
  host.respondToCallout(b2, { status: 201 });
  host.respondToCallout(a1, { status: 202 });
  host.respondToCallout(b1, { status: 203 });
  assert.equal(b.request.headers.get("x-dispatch-results"), "203,201");
  assert.equal(a.request.paused, true);
  host.respondToCallout(a2, { status: 204 });
  assert.equal(a.request.headers.get("x-dispatch-results"), "202,204");
});

test("answers for a stream that is already gone are dropped", async () => {
  const { host, http } = await start();
  http.requestHeaders(request, { endOfStream: true });
  http.complete(); // the client went away
  for (const call of host.callouts) host.respondToCallout(call, { status: 200 });
  assert.equal(host.vm.failure, null);
  assert.deepEqual(host.logs("info"), []);
});

test("a bad configuration stops the plugin with a log line that says why", async () => {
  const cases: [unknown, RegExp][] = [
    ["{", /multiple_dispatches configuration is not valid JSON/],
    [{ paths: ["/a"] }, /cluster must be a non-empty string/],
    [{ cluster: "httpbin" }, /paths must be a non-empty array/],
    [{ cluster: "httpbin", paths: [] }, /paths must be a non-empty array/],
    [
      { cluster: "httpbin", paths: ["status/200"] },
      /every path must be a string starting with "\/"/,
    ],
    [{ cluster: "httpbin", paths: [200] }, /every path must be a string starting with "\/"/],
  ];
  for (const [pluginConfig, message] of cases) {
    await assert.rejects(
      Host.load(wasm, { rootId: "multiple_dispatches", pluginConfig: pluginConfig as object }),
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
