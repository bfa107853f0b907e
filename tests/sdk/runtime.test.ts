// The SDK's own runtime (assembly/rt) under a filter's load: objects kept across requests stay
// intact while the collector frees everything around them, freed memory is used again (the
// module's memory stops growing), and large buffers come and go without piling up.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host } from "proxy-wasm-as/host";
import { filterWasm, mark } from "./helpers.ts";

async function load() {
  const host = await Host.load(filterWasm("runtime"), { rootId: "runtime", logLevel: "info" });
  const memory = () => (host.vm.exports.memory as WebAssembly.Memory).buffer.byteLength;
  const request = (headers: Record<string, string>) => {
    const from = mark(host);
    const http = host.newHttpContext();
    http.requestHeaders({ ":path": "/", ...headers });
    http.complete();
    assert.equal(host.vm.failed, false);
    return host.logs().slice(from);
  };
  return { host, memory, request };
}

test("objects kept across requests survive thousands of collections intact", async () => {
  const { request } = await load();
  for (let i = 1; i <= 1500; i++) {
    assert.deepEqual(
      request({ "x-op": "churn", "x-seed": String(i) }),
      ["corrupt=0"],
      `request ${i}`,
    );
  }
});

test("unmanaged blocks keep their bytes while others come and go, and are reused", async () => {
  const { memory, request } = await load();
  for (let i = 1; i <= 200; i++) {
    assert.deepEqual(
      request({ "x-op": "raw", "x-seed": String(i) }),
      ["corrupt=0"],
      `request ${i}`,
    );
  }
  const warm = memory();
  for (let i = 201; i <= 600; i++) request({ "x-op": "raw", "x-seed": String(i) });
  assert.equal(memory(), warm);
});

test("under steady churn the module's memory stops growing", async () => {
  const { memory, request } = await load();
  for (let i = 1; i <= 500; i++) request({ "x-op": "churn", "x-seed": String(i) });
  const warm = memory();
  for (let i = 501; i <= 2500; i++) request({ "x-op": "churn", "x-seed": String(i) });
  assert.equal(memory(), warm);
});

test("large buffers are given back: 40 × 3 MiB needs memory for about one", async () => {
  const { memory, request } = await load();
  const size = 3 * 1024 * 1024;
  for (let i = 0; i < 40; i++) {
    assert.deepEqual(request({ "x-op": "big", "x-size": String(size) }), [`big=${size} corrupt=0`]);
  }
  // Without reuse this would be 120 MiB; allow the buffer, one more in flight, and slack.
  assert.ok(memory() < 3 * size, `memory ${memory()} bytes`);
});

test("mixed small and large objects: the heap settles instead of creeping up", async () => {
  const { memory, request } = await load();
  const size = 1024 * 1024;
  const round = (n: number) => {
    for (let i = 0; i < 20; i++) request({ "x-op": "churn", "x-seed": String(n * 100 + i + 1) });
    request({ "x-op": "big", "x-size": String(size) });
  };
  for (let n = 0; n < 30; n++) round(n);
  const settled = memory();
  for (let n = 30; n < 90; n++) round(n);
  // Random sizes shift which free blocks fit, so allow a little drift; a leak of the large
  // buffers alone would add 60 MiB here.
  assert.ok(memory() <= settled * 1.25, `${settled} → ${memory()} bytes`);
});

test("an allocation the runtime cannot serve logs 'out of memory' at critical level, then traps", async () => {
  const host = await Host.load(filterWasm("runtime"), { rootId: "runtime", logLevel: "info" });
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/", "x-op": "too-big" });
  assert.equal(host.vm.failed, true);
  assert.deepEqual(host.logs("critical").slice(0, 1), ["abort: out of memory"]);
  assert.ok(!host.logs("info").some((line) => line.startsWith("allocated=")));
});
