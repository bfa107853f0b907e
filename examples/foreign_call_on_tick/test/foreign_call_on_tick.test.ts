// Drives foreign_call_on_tick through the host emulator. The test provides Envoy's `compress`
// foreign function (zlib) and plays the log collector.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { deflateSync, inflateSync } from "node:zlib";
import { Host, WasmResult } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);

function serve(host: Host, method: string, path: string, status?: string): void {
  const http = host.newHttpContext();
  http.requestHeaders(
    { ":method": method, ":path": path, ":authority": "a" },
    { endOfStream: true },
  );
  if (status) http.responseHeaders({ ":status": status }, { endOfStream: true });
  http.complete();
}

async function start() {
  const host = await Host.load(wasm, { rootId: "foreign_call_on_tick", clusters: ["collector"] });
  const calls: Buffer[] = [];
  host.registerForeignFunction("compress", (args) => {
    calls.push(Buffer.from(args));
    return deflateSync(args);
  });
  return { host, calls };
}

test("each tick compresses the batch with the host's function and ships it", async () => {
  const { host, calls } = await start();
  serve(host, "GET", "/", "200");
  serve(host, "POST", "/orders", "201");
  serve(host, "GET", "/gone"); // reset before any response
  assert.equal(host.callouts.length, 0, "nothing shipped before the tick");
  assert.equal(host.tick(1000), 1);

  const expected = "GET / 200\nPOST /orders 201\nGET /gone -\n";
  assert.deepEqual(calls.map(String), [expected], "the foreign function got the batch");
  const [call] = host.callouts;
  assert.equal(call.cluster, "collector");
  assert.equal(call.headers.get(":method"), "POST");
  assert.equal(call.headers.get(":path"), "/logs");
  assert.equal(call.headers.get("content-encoding"), "deflate");
  assert.equal(inflateSync(call.body).toString(), expected);
  assert.ok(
    host
      .logs("info")
      .includes(`compressed ${expected.length} bytes of access log to ${call.body.length}`),
  );
  host.respondToCallout(call, { status: 204 });
  assert.deepEqual(host.logs("warn"), []);
});

test("an empty batch ships nothing; the next batch holds only new lines", async () => {
  const { host, calls } = await start();
  host.tick(3000);
  assert.equal(host.callouts.length, 0);
  serve(host, "GET", "/a", "200");
  host.tick(1000);
  serve(host, "GET", "/b", "404");
  host.tick(1000);
  assert.deepEqual(calls.map(String), ["GET /a 200\n", "GET /b 404\n"]);
  assert.equal(host.callouts.length, 2);
});

test("without the foreign function the batch goes uncompressed, with one warning", async () => {
  const host = await Host.load(wasm, { rootId: "foreign_call_on_tick", clusters: ["collector"] });
  serve(host, "GET", "/x", "200");
  host.tick(1000);
  serve(host, "GET", "/y", "200");
  host.tick(1000);
  const bodies = host.callouts.map((c) => [c.headers.get("content-encoding"), c.body.toString()]);
  assert.deepEqual(bodies, [
    ["identity", "GET /x 200\n"],
    ["identity", "GET /y 200\n"],
  ]);
  assert.deepEqual(host.logs("warn"), [
    `compress unavailable (result ${WasmResult.NotFound}); shipping uncompressed`,
  ]);
});

test("a collector failure is logged, and a missing cluster drops the batch", async () => {
  const { host } = await start();
  serve(host, "GET", "/", "200");
  host.tick(1000);
  host.respondToCallout(host.callouts[0], { status: 503 });
  const other = await Host.load(wasm, { rootId: "foreign_call_on_tick", clusters: ["elsewhere"] });
  other.registerForeignFunction("compress", (args) => deflateSync(args));
  serve(other, "GET", "/", "200");
  other.tick(1000);
  assert.deepEqual(host.logs("warn"), ["collector answered 503"]);
  assert.deepEqual(other.logs("warn"), [`log batch dropped: result ${WasmResult.BadArgument}`]);
});

test("a full batch (16 KiB) ships at once, so memory stays bounded between ticks", async () => {
  const { host, calls } = await start();
  let served = 0;
  const burst = (n: number) => {
    for (let i = 0; i < n; i++) serve(host, "GET", `/busy/${served++}`, "200");
    for (const c of host.callouts) host.respondToCallout(c, { status: 204 });
  };
  burst(2000); // no tick: full batches go, the rest waits for the tick
  assert.ok(calls.length >= 2, `${calls.length} batches shipped`);
  for (const c of calls) assert.ok(c.length <= 16384 && String(c).endsWith(" 200\n"));
  const memory = () => host.vm.memory.size;
  const warm = memory();
  burst(20000);
  assert.equal(memory(), warm, "linear memory grew while 20,000 requests came between two ticks");
  host.tick(1000);
  const lines = calls.map(String).join("").split("\n").slice(0, -1);
  assert.equal(lines.length, served, "every line shipped once");
  assert.deepEqual(lines.slice(0, 2), ["GET /busy/0 200", "GET /busy/1 200"]);
  assert.equal(lines.at(-1), `GET /busy/${served - 1} 200`);
  // A line longer than a whole batch goes on its own.
  serve(host, "GET", `/${"x".repeat(20000)}`, "200");
  assert.equal(String(calls.at(-1)).length, 20000 + "GET / 200\n".length);
});

test("the module imports only Proxy-Wasm hostcalls", () => {
  const module = new WebAssembly.Module(readFileSync(wasm));
  for (const { module: from, name } of WebAssembly.Module.imports(module)) {
    assert.equal(from, "env", name);
    assert.match(name, /^proxy_/);
  }
});
