// The SDK's own runtime (assembly/heap) under a filter's load: objects kept across requests stay
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

// ---- the hardening of the runtime: each test below failed on the runtime before its fix ----

async function loadWith(options: Parameters<typeof Host.load>[1] = {}) {
  const host = await Host.load(filterWasm("runtime"), {
    rootId: "runtime",
    logLevel: "info",
    ...options,
  });
  const request = (headers: Record<string, string>) => {
    const from = mark(host);
    const http = host.newHttpContext();
    http.requestHeaders({ ":path": "/", ...headers });
    if (!host.vm.failed) http.complete();
    return host.logs().slice(from);
  };
  return { host, request };
}

/** A host that calls back into the module (proxy_on_tick) from inside a foreign function. */
function reentering(strictReentrancy: boolean) {
  let host: Host;
  const ready = loadWith({
    strictReentrancy,
    foreignFunctions: {
      reenter: (_args, { vm }) => {
        vm.call(host.plugin, "proxy_on_tick", host.plugin.id);
      },
    },
  }).then((loaded) => ((host = loaded.host), loaded));
  return ready;
}

test("a callback the host makes from inside a hostcall does not collect the caller's locals", async () => {
  const { host, request } = await reentering(false);
  const lines = request({ "x-op": "reenter" });
  assert.equal(host.vm.failed, false, host.logs("critical").join("\n"));
  assert.deepEqual(lines, ["local=intact", "refill=600000 garbage=200000"]);
  // The collection that was due happens at the next callback that starts from the top.
  assert.ok(Number(request({ "x-op": "pressure" })[0].split("=")[1]) < 128 * 1024);
});

test("strictReentrancy: a call into a VM while a call into it runs fails the VM", async () => {
  const { host, request } = await reentering(true);
  request({ "x-op": "reenter" });
  assert.equal(host.vm.failed, true);
  assert.match(
    host.logs("critical")[0],
    /proxy_on_tick was called while proxy_on_request_headers is still running/,
  );
});

test("the test runner turns strictReentrancy on for this repository's tests", () => {
  assert.equal(process.env.PROXY_WASM_AS_STRICT_REENTRANCY, "1");
});

test("__collect() called by a filter only asks: the collection waits for the next callback", async () => {
  const { host, request } = await loadWith();
  assert.deepEqual(request({ "x-op": "collect-inside" }), ["local=intact", "refill=100000"]);
  assert.equal(host.vm.failed, false);
  // Asked for, it ran on entry to the next callback (the count of bytes starts from zero).
  assert.ok(Number(request({ "x-op": "pressure" })[0].split("=")[1]) < 4096);
});

test("a free run longer than the largest size class goes back in pieces the free lists hold", async () => {
  const { host, request } = await loadWith();
  assert.deepEqual(request({ "x-op": "long-run" }), ["check=0", "reused=yes check=0"]);
  assert.equal(host.vm.failed, false);
});

test("a block that would end past 4 GiB is out of memory, not an access out of bounds", async () => {
  const { host, request } = await loadWith();
  request({ "x-op": "past-4gib" });
  assert.equal(host.vm.failed, true);
  assert.deepEqual(host.logs("critical").slice(0, 1), ["abort: out of memory"]);
});

test("__renew past the largest object size is out of memory", async () => {
  const { host, request } = await loadWith();
  request({ "x-op": "renew-huge" });
  assert.equal(host.vm.failed, true);
  assert.deepEqual(host.logs("critical").slice(0, 1), ["abort: out of memory"]);
});

test("__renew to a smaller size gives the block's tail back", async () => {
  const { request } = await loadWith();
  const [block, fresh] = request({ "x-op": "renew-shrink" });
  const bytes = Number(/^block=(\d+)/.exec(block)![1]);
  assert.ok(bytes <= (1 << 20) + 64, `the 1 MiB object keeps a block of ${bytes} bytes`);
  assert.match(block, / check=0$/);
  assert.equal(fresh, "fresh=in-tail");
});

test("__renew moving a pinned object keeps the count of pinned objects right", async () => {
  const { request } = await loadWith();
  assert.deepEqual(request({ "x-op": "renew-pinned" }), ["moved=yes check=0", "unpinned check=0"]);
});

test("building many live objects neither sweeps the heap again and again nor grows page by page", async () => {
  const { request } = await loadWith();
  const line = request({ "x-op": "keep", "x-count": "100000" })[0];
  const [, sweeps, grown, check] = /^sweeps=(\d+) grown=(\d+) check=(\d+)$/.exec(line)!.map(Number);
  assert.equal(check, 0);
  // 100k strings (about 4 MiB with the array): a sweep per 64 KiB page was ~60 sweeps and
  // ~60 growths; now nothing freed means nothing to sweep, and memory grows by half each time.
  assert.ok(sweeps <= 1, line);
  assert.ok(grown > 0, line);
  const growths = request({ "x-op": "keep", "x-count": "100000" })[0];
  assert.match(growths, / check=0$/);
});
