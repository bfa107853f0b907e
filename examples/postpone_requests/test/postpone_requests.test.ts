// Drives postpone_requests through the host emulator: bursts of requests against the virtual
// clock's ticks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Action, Host, type HttpContext } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const config = { per_tick: 2, period_ms: 100, max_queued: 3 };

async function start(pluginConfig: object = config) {
  return Host.load(wasm, { rootId: "postpone_requests", pluginConfig });
}

function send(host: Host, path: string): { http: HttpContext; action: Action } {
  const http = host.newHttpContext();
  const action = http.requestHeaders(
    { ":method": "GET", ":path": path, ":authority": "a" },
    { endOfStream: true },
  );
  return { http, action };
}

const forwarded = (list: { http: HttpContext }[]) =>
  list
    .filter(({ http }) => http.request.headersForwarded)
    .map(({ http }) => http.request.headers.get(":path"));

test("a burst: per_tick pass at once, the rest wait and leave oldest first, per_tick per tick", async () => {
  const host = await start();
  const burst = ["/1", "/2", "/3", "/4", "/5"].map((p) => send(host, p));
  assert.deepEqual(
    burst.map((r) => r.action),
    [Action.Continue, Action.Continue, Action.Pause, Action.Pause, Action.Pause],
  );
  assert.deepEqual(forwarded(burst), ["/1", "/2"]);
  assert.deepEqual(host.logs("debug"), [
    "postponed; 1 waiting",
    "postponed; 2 waiting",
    "postponed; 3 waiting",
  ]);

  host.tick(100);
  assert.deepEqual(forwarded(burst), ["/1", "/2", "/3", "/4"]);
  assert.equal(burst[2].http.request.headers.get("x-postponed-ms"), "100");
  host.tick(100);
  assert.deepEqual(forwarded(burst), ["/1", "/2", "/3", "/4", "/5"]);
  assert.equal(burst[4].http.request.headers.get("x-postponed-ms"), "200");
  assert.equal(burst[0].http.request.headers.has("x-postponed-ms"), false);
});

test("a released request flows on: its body follows and the response comes back", async () => {
  const host = await start({ per_tick: 1, period_ms: 50, max_queued: 5 });
  send(host, "/first");
  const http = host.newHttpContext();
  http.requestHeaders({ ":method": "POST", ":path": "/upload", ":authority": "a" });
  assert.equal(http.requestBody("data", { endOfStream: true }), Action.Pause);
  host.tick(50);
  assert.equal(http.request.text(), "data");
  assert.equal(http.responseHeaders({ ":status": "200" }, { endOfStream: true }), Action.Continue);
  http.complete();
});

test("when max_queued are waiting, the next request gets 503 with retry-after", async () => {
  const host = await start();
  for (let i = 0; i < 5; i++) send(host, `/${i}`);
  const { http, action } = send(host, "/too-many");
  assert.equal(action, Action.Pause);
  assert.equal(http.sentLocalResponse?.status, 503);
  assert.equal(http.sentLocalResponse?.details, "postpone_queue_full");
  assert.deepEqual(http.sentLocalResponse?.headers, [["retry-after", "1"]]);
});

test("a client that gives up leaves the queue; grants are not carried over", async () => {
  const host = await start();
  const all = ["/1", "/2", "/3", "/4", "/5"].map((p) => send(host, p));
  all[2].http.complete(); // gave up while waiting
  host.tick(100);
  assert.deepEqual(forwarded(all), ["/1", "/2", "/4", "/5"]);
  host.tick(1000); // ten idle ticks
  const after = ["/6", "/7", "/8"].map((p) => send(host, p));
  assert.deepEqual(forwarded(after), ["/6", "/7"], "still 2, not 20");
});

test("a bad configuration stops the plugin with a log line that says why", async () => {
  const cases: [unknown, RegExp][] = [
    ["per_tick=2", /postpone_requests configuration is not valid JSON/],
    [{ period_ms: 100, max_queued: 3 }, /per_tick must be a positive integer/],
    [{ per_tick: 0, period_ms: 100, max_queued: 3 }, /per_tick must be a positive integer/],
    [{ per_tick: 2, period_ms: "100ms", max_queued: 3 }, /period_ms must be a positive integer/],
    [{ per_tick: 2, period_ms: 100, max_queued: -3 }, /max_queued must be a positive integer/],
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
