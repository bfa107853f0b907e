import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host, type LogEntry, type RootContext } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);

function send(plugin: Host | RootContext) {
  const http = plugin.newHttpContext();
  assert.equal(
    http.requestHeaders({ ":method": "GET", ":path": "/" }, { endOfStream: true }),
    Action.Continue,
  );
  http.complete();
  return http.request.headers.get("x-request-count");
}

test("each request increments the shared counter and carries the count upstream", async () => {
  const host = await Host.load(wasm, { rootId: "shared_data", vmId: "counters" });
  assert.deepEqual(
    [1, 2, 3].map(() => send(host)),
    ["1", "2", "3"],
  );
  assert.equal(host.sharedData.get("shared_data.requests")?.value.toString(), "3");
});

test("worker VMs with the same vm_id share the counter; another vm_id has its own", async () => {
  const host = await Host.load(wasm, { rootId: "shared_data", vmId: "counters" });
  const worker2 = await host.addVm(wasm, { rootId: "shared_data", vmId: "counters" });
  const elsewhere = await host.addVm(wasm, { rootId: "shared_data", vmId: "other" });
  assert.deepEqual(
    [send(host), send(worker2), send(host), send(worker2), send(elsewhere)],
    ["1", "2", "3", "4", "1"],
  );
  assert.equal(host.sharedData.get("shared_data.requests", "counters")?.value.toString(), "4");
  assert.equal(host.sharedData.get("shared_data.requests", "other")?.value.toString(), "1");
});

/** A host whose log hook lets a test write shared data between the filter's read and write. */
async function withInterference(times: number) {
  let left = 0;
  let host!: Host;
  const onLog = (entry: LogEntry) => {
    if (left > 0 && entry.message.startsWith("shared_data: read")) {
      left--;
      // Another worker counted a request in the meantime.
      const now = Number(host.sharedData.get("shared_data.requests")?.value ?? 0);
      host.sharedData.set("shared_data.requests", String(now + 1));
    }
  };
  host = await Host.load(wasm, { rootId: "shared_data", vmId: "counters", onLog });
  return { host, interfere: (n = times) => (left = n) };
}

test("a concurrent write makes the CAS fail; the filter reads again and counts both", async () => {
  const { host, interfere } = await withInterference(1);
  assert.equal(send(host), "1");
  interfere(2); // two other workers get in, one after the other
  assert.equal(send(host), "4", "1 + two foreign increments + this request");
  const debug = host.logs("debug");
  assert.equal(debug.filter((l) => l === "shared_data: cas mismatch, retrying").length, 2);
  assert.match(debug.at(-1)!, /^shared_data: read 3 \(cas \d+\)$/);
});

test("a counter that never settles is given up on without failing the request", async () => {
  const { host, interfere } = await withInterference(0);
  assert.equal(send(host), "1");
  interfere(100); // every read is followed by a foreign write
  const http = host.newHttpContext();
  assert.equal(http.requestHeaders({ ":path": "/" }, { endOfStream: true }), Action.Continue);
  assert.equal(http.request.headers.has("x-request-count"), false);
  assert.deepEqual(host.logs("warn"), [
    "shared_data: shared_data.requests kept changing; request not counted",
  ]);
});
