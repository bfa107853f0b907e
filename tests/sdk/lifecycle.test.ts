// Root ids and lifecycles: which registered root a plugin gets (exact, empty and unknown root_id,
// nothing registered), onStart / onConfigure answers, ticks, asynchronous done, the order of a
// stream's last callbacks, several plugins in one VM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, StartError } from "proxy-wasm-as/host";
import { filterWasm, mark, reports } from "./helpers.ts";

const wasm = filterWasm("lifecycle");

function rootOfStream(host: Host, plugin = host.plugin): string | undefined {
  const http = plugin.newHttpContext();
  http.requestHeaders({ ":path": "/" }, { endOfStream: true });
  http.responseHeaders({ ":status": "200" }, { endOfStream: true });
  return http.response.headers.get("x-root");
}

test("an exact root_id gets its own root; configuration reaches onStart and onConfigure", async () => {
  const host = await Host.load(wasm, {
    rootId: "second",
    vmConfig: "vm-cfg",
    pluginConfig: "plugin-cfg",
  });
  const r = reports(host);
  assert.equal(r["second.start"], "vm-cfg/6");
  assert.equal(r["second.configure"], "plugin-cfg/10");
  assert.equal(r["second.id"], String(host.plugin.id));
  assert.equal(r["second.done.early"], "1", "done() when no shutdown is pending is NotFound");
  assert.equal(r["first.start"], undefined);
  assert.equal(rootOfStream(host), "second");
  assert.deepEqual(host.logs("warn"), []);
});

test("an empty root_id falls back to the first registered root, with an info line", async () => {
  const host = await Host.load(wasm, { rootId: "" });
  assert.equal(rootOfStream(host), "first");
  assert.ok(
    host.logs("info").includes("proxy-wasm-as: root_id '' is not registered; using 'first'"),
  );
});

test("an unknown root_id falls back to the first registered root, with a warning", async () => {
  const host = await Host.load(wasm, { rootId: "typo" });
  assert.equal(rootOfStream(host), "first");
  assert.deepEqual(host.logs("warn"), [
    "proxy-wasm-as: root_id 'typo' is not registered; using 'first'",
  ]);
});

test("nothing registered: the default root lets requests and responses through untouched", async () => {
  const host = await Host.load(filterWasm("noroot"), { rootId: "anything" });
  assert.ok(host.logs("info").includes("noroot: loaded"));
  assert.deepEqual(host.logs("warn"), [
    "proxy-wasm-as: root_id 'anything' is not registered; using nothing (all traffic passes)",
  ]);
  const http = host.newHttpContext();
  assert.equal(http.requestHeaders({ ":path": "/x", "x-a": "1" }), 0);
  http.requestBody("body", { endOfStream: true });
  http.responseHeaders({ ":status": "204" }, { endOfStream: true });
  http.complete();
  assert.deepEqual(http.request.headers.entries(), [
    [":path", "/x"],
    ["x-a", "1"],
  ]);
  assert.equal(http.request.text(), "body");
  assert.equal(http.response.headers.get(":status"), "204");
  assert.equal(http.sentLocalResponse, null);
  assert.deepEqual(host.logs("error"), []);
  assert.equal(host.vm.failed, false);
});

test("onStart false and onConfigure false fail the start", async () => {
  await assert.rejects(
    Host.load(wasm, { rootId: "second", vmConfig: "fail-start" }),
    (e: unknown) => e instanceof StartError && /proxy_on_vm_start returned false/.test(e.message),
  );
  await assert.rejects(
    Host.load(wasm, { rootId: "second", pluginConfig: "reject" }),
    (e: unknown) =>
      e instanceof StartError &&
      /proxy_on_configure returned false/.test(e.message) &&
      e.logs.some((l) => l.includes("second.configure=reject/6")),
  );
});

test("ticks: every period on the virtual clock, time from the host clock, stopped with period 0", async () => {
  for (const config of ["tick:250"]) {
    const start = new Date("2030-05-06T07:08:09Z");
    const host = await Host.load(wasm, { rootId: "second", pluginConfig: config, time: start });
    const r0 = reports(host);
    assert.equal(r0["setTickPeriod"], "0");
    const from = mark(host);
    const tickTimes = () =>
      host
        .logs()
        .slice(from)
        .filter((l) => l.startsWith("second.tick="))
        .map((l) => /^second\.tick=(\d+)@(\d+)$/.exec(l)!.slice(1).map(BigInt));
    assert.equal(host.tick(249), 0);
    assert.equal(host.tick(1), 1);
    // The filter reads exactly the host's clock (the clock stands at the tick's time now).
    assert.deepEqual(tickTimes()[0], [1n, host.clock.nowNanos()]);
    assert.equal(host.tick(250), 1);
    assert.deepEqual(tickTimes()[1], [2n, host.clock.nowNanos()]);
    assert.equal(host.tick(10_000), 1, "the third tick sets the period to 0");
    // Exactly 250 ms apart from the configured start.
    const startNs = BigInt(start.getTime()) * 1_000_000n;
    assert.deepEqual(tickTimes(), [
      [1n, startNs + 250_000_000n],
      [2n, startNs + 500_000_000n],
      [3n, startNs + 750_000_000n],
    ]);
    assert.equal(reports(host, from)["tick.plugin_configuration"], "null", "outside onConfigure");
    assert.equal(reports(host, from)["tick.vm_configuration.length"], "not ok", "outside onStart");
  }
});

test("asynchronous done: onDone false keeps the root until it calls done()", async () => {
  const host = await Host.load(wasm, { rootId: "first", pluginConfig: "async-done" });
  const from = mark(host);
  host.shutdown();
  assert.equal(host.plugin.state, "draining");
  assert.equal(reports(host, from)["first.done"], "later");
  assert.equal(reports(host, from)["first.delete"], undefined);
  host.tick(100);
  const r = reports(host, from);
  assert.equal(r["first.done.call"], "0");
  assert.equal(r["first.delete"], "yes");
  assert.equal(host.plugin.state, "deleted");
});

test("a synchronous root: shutdown runs onDone then onDelete", async () => {
  const host = await Host.load(wasm, { rootId: "second" });
  const from = mark(host);
  host.shutdown();
  assert.deepEqual(host.logs().slice(from), ["second.done=now", "second.delete=yes"]);
  assert.equal(host.plugin.state, "deleted");
});

test("a stream ends with onLog, onDone, onDelete, in Envoy's order", async () => {
  const host = await Host.load(wasm, { rootId: "second" });
  const http = host.newHttpContext();
  const from = mark(host);
  http.requestHeaders({ ":path": "/" }, { endOfStream: true });
  http.responseHeaders({ ":status": "200" }, { endOfStream: true });
  http.complete();
  assert.deepEqual(
    host
      .logs()
      .slice(from)
      .filter((l) => l.startsWith("stream.event="))
      .map((l) => l.slice(13)),
    [`request_headers:${http.id}`, "log", "done", "delete"],
  );
});

test("two plugins in one VM get their own roots and streams", async () => {
  const host = await Host.load(wasm, { rootId: "first" });
  const second = host.addPlugin({ rootId: "second" });
  assert.equal(second.vm, host.vm);
  assert.notEqual(second.id, host.plugin.id);
  assert.equal(rootOfStream(host), "first");
  assert.equal(rootOfStream(host, second), "second");
});
