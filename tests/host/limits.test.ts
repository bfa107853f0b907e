// What the emulator keeps, and for how long: forwarded body chunks (kept for tests, released for
// the dev proxy), the watermark of a stopped stream, local reply headers, failed VMs and their
// compiled module, and the log store's byte bound.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host, encodePairs } from "../../src/host/index.js";
import { LogStore, logEntrySize, type LogEntry } from "../../src/host/logs.js";
import { filter } from "./helpers.js";

const PASS_BODY = `(func (export "proxy_on_request_body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32) (i32.const 0))`;

test("retainForwardedBody: false releases forwarded chunks; sizes are still counted", async () => {
  const wasm = await filter(PASS_BODY);
  for (const retain of [true, false]) {
    const host = await Host.load(wasm, { retainForwardedBody: retain });
    const seen: number[] = [];
    const http = host.newHttpContext({ onRequestBody: (c) => seen.push(c.length) });
    http.requestHeaders({ ":path": "/", ":method": "POST" });
    for (let i = 0; i < 10; i++) assert.equal(http.requestBody("x".repeat(1000)), Action.Continue);
    http.requestBody("", { endOfStream: true });
    http.responseHeaders({ ":status": "200" });
    http.responseBody("abc", { endOfStream: true });
    assert.equal(seen.length, 11, "the listener hears every chunk either way");
    assert.equal(http.request.bodyBytesForwarded, 10000);
    assert.equal(http.response.bodyBytesForwarded, 3);
    assert.equal(http.request.bodyChunks.length, retain ? 11 : 0);
    assert.equal(http.request.body.length, retain ? 10000 : 0);
    assert.deepEqual(
      http.request.retained,
      retain ? { chunks: 11, bytes: 10000 } : { chunks: 0, bytes: 0 },
    );
    assert.equal(http.response.text(), retain ? "abc" : "");
    assert.ok(http.request.ended && http.response.ended);
  }
});

test("a local reply keeps the filter's content-type (text/plain only when none), one content-length", async () => {
  const cases: [string, [string, string][], string, [string, string][]][] = [
    ["body", [["content-type", "text/plain"]], "denied", [["content-type", "text/plain"]]],
    ["json", [["Content-Type", "application/json"]], "{}", [["content-type", "application/json"]]],
    ["none", [["x-a", "1"]], "no", [["content-type", "text/plain"]]],
    ["length", [["content-length", "999"]], "abc", [["content-type", "text/plain"]]],
    ["empty", [["content-type", "application/json"]], "", []],
  ];
  for (const [name, headers, body, want] of cases) {
    const wasm = await filter(
      ({ s }) => `(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
        (drop (call $proxy_send_local_response (i32.const 403) ${s("")} ${s(body)} ${s(encodePairs(headers))} (i32.const -1)))
        (i32.const 0))`,
    );
    for (const through of [true, false]) {
      const host = await Host.load(wasm, { localReplyThroughFilter: through });
      const http = host.newHttpContext();
      http.requestHeaders({ ":path": "/" }, { endOfStream: true });
      const h = http.response.headers;
      assert.deepEqual(
        h.getAll("content-type").map((v) => ["content-type", v]),
        want,
        `${name}: content-type`,
      );
      assert.deepEqual(
        h.getAll("content-length"),
        body.length ? [String(body.length)] : [],
        `${name}: content-length`,
      );
      assert.equal(http.response.text(), body);
    }
  }
});

const line = (i: number, size: number): LogEntry => ({
  level: 2,
  message: `${i}:`.padEnd(size, "x"),
  source: "plugin",
  pluginName: "p",
  rootId: "r",
  vmId: "",
});

test("the log store is bounded by bytes too: big lines drop the oldest, small ones fill the count", () => {
  const big = logEntrySize(line(0, 8192));
  const store = new LogStore(undefined, false, 100000, 10 * big);
  for (let i = 0; i < 1000; i++) store.add(line(i, 8192));
  assert.equal(store.length, 10, "8 KiB lines: as many as fit in the bytes");
  assert.ok(store.bytes <= 10 * big);
  assert.deepEqual(
    store.messages().map((m) => m.split(":")[0]),
    ["990", "991", "992", "993", "994", "995", "996", "997", "998", "999"],
  );
  // Short lines afterwards: the count bound, and the byte bound, both hold.
  for (let i = 1000; i < 3000; i++) store.add(line(i, 10));
  assert.ok(store.bytes <= 10 * big);
  assert.equal(store.length, Math.floor((10 * big) / logEntrySize(line(1000, 10))));
  assert.equal(store.messages().at(-1), line(2999, 10).message);
  // A line larger than the whole bound is still kept, alone.
  store.add(line(3000, 20 * big));
  assert.equal(store.length, 1);
  assert.equal(store.total, 3001);
  assert.deepEqual(store.since(3000).length, 1);
});

test("host option maxLogBytes bounds what the host keeps (default 16 MiB)", async () => {
  const wasm = await filter(
    ({ s }) => `(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (drop (call $proxy_log (i32.const 2) ${s("y".repeat(8192))}))
      (i32.const 0))`,
  );
  const host = await Host.load(wasm, { maxLogBytes: 100_000 });
  for (let i = 0; i < 200; i++) host.newHttpContext().requestHeaders({ ":path": "/" });
  assert.equal(host.logs().length, Math.floor(100_000 / (8192 + 64)));
  const dflt = await Host.load(wasm);
  assert.equal(dflt.logStore.bytes, 0);
});

const TRAP_ON_PATH = `(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    unreachable)`;

test("addVm with the same bytes compiles the module once", async () => {
  const wasm = await filter(PASS_BODY);
  const host = await Host.load(wasm);
  for (let i = 0; i < 5; i++) await host.addVm(wasm, { vmId: `v${i}` });
  assert.equal(host.vms.length, 6);
  assert.equal(host.compiledModules, 1);
  await host.addVm(new Uint8Array(wasm)); // other bytes (a copy): compiled again
  assert.equal(host.compiledModules, 2);
});

test("removeVm drops a failed VM and its plugins; a stream still open on it gets its 503", async () => {
  const wasm = await filter(TRAP_ON_PATH);
  const host = await Host.load(wasm);
  const first = host.vm;
  const doomed = host.newHttpContext();
  const trapped = host.newHttpContext();
  assert.equal(trapped.requestHeaders({ ":path": "/" }), Action.Pause);
  assert.ok(first.failed);
  const fresh = await host.addVm(wasm);
  host.plugin.shutdown();
  host.removeVm(first);
  assert.deepEqual(host.vms, [fresh.vm]);
  assert.deepEqual(host.plugins, [fresh]);
  assert.equal(host.compiledModules, 1);
  // A stream created on the old VM before it was removed still gets the fail-closed reply.
  doomed.requestHeaders({ ":path": "/" }, { endOfStream: true });
  assert.equal(doomed.sentLocalResponse?.status, 503);
  assert.equal(doomed.response.headers.get(":status"), "503");
  doomed.complete();
  trapped.complete();
  assert.equal(first.contexts.size, 0, "nothing left on the old VM");
});

/** Headers answer `status`; a queue item continues stream `ctx` (request: 0, response: 1). */
const HOLD_HEADERS =
  (status: number) =>
  ({ s }: { s: (v: string) => string }) => `
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const ${status}))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32) (i32.const ${status}))
  (func (export "proxy_on_queue_ready") (param i32 i32)
    (drop (call $proxy_set_effective_context (i32.const 2)))
    (drop (call $proxy_continue_stream (i32.const 0))))
  (func (export "proxy_on_configure") (param i32 i32) (result i32)
    (drop (call $proxy_register_shared_queue ${s("q")} (i32.const 0x108))) (i32.const 1))`;

test("a body queued behind StopAllIterationAndWatermark headers raises the watermark at the buffer limit, lowers it at half", async () => {
  const host = await Host.load(await filter(HOLD_HEADERS(1)), { bufferLimit: 100 });
  const marks: string[] = [];
  let forwarded = 0;
  const http = host.newHttpContext({
    onWatermark: (d, above) => marks.push(`${d}:${above}`),
    onRequestBody: (c) => (forwarded += c.length),
  });
  assert.equal(http.requestHeaders({ ":path": "/", ":method": "POST" }), Action.Pause);
  for (let i = 0; i < 2; i++) assert.equal(http.requestBody("x".repeat(40)), Action.Pause);
  assert.deepEqual(marks, [], "80 bytes fit");
  http.requestBody("x".repeat(40));
  assert.deepEqual(marks, ["request:true"], "120 bytes: the sender should pause");
  http.requestBody("x".repeat(40));
  assert.deepEqual(marks, ["request:true"], "told once");
  assert.equal(http.sentLocalResponse, null, "no 413: the filter streams");
  host.enqueue(host.queue("q")!.id, "go");
  assert.deepEqual(marks, ["request:true", "request:false"]);
  assert.equal(forwarded, 160);
});

test("a body queued behind StopAllIterationAndBuffer headers past the limit gets 413 (request) / 500 (response)", async () => {
  const host = await Host.load(await filter(HOLD_HEADERS(3)), { bufferLimit: 100 });
  const marks: string[] = [];
  const req = host.newHttpContext({ onWatermark: (d, a) => marks.push(`${d}:${a}`) });
  req.requestHeaders({ ":path": "/", ":method": "POST" });
  req.requestBody("x".repeat(100));
  const sent = () => req.sentLocalResponse; // read afresh: requestBody changes it
  assert.equal(sent(), null, "100 bytes fit");
  req.requestBody("x");
  assert.equal(sent()?.status, 413);
  assert.equal(sent()?.details, "request_payload_too_large");

  const res = host.newHttpContext({ onWatermark: (d, a) => marks.push(`${d}:${a}`) });
  res.requestHeaders({ ":path": "/" }, { endOfStream: true });
  res.responseHeaders({ ":status": "200" });
  res.responseBody("y".repeat(101));
  assert.equal(res.sentLocalResponse?.status, 500);
  assert.equal(res.sentLocalResponse?.details, "response_payload_too_large");
  assert.deepEqual(marks, [], "no watermark: these filters buffer");
});
