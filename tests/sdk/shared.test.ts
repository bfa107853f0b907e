// Shared data wrappers: getSharedData / setSharedData / setSharedDataString with CAS, shared by
// VMs with the same vm_id, through tests/filters/shared.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host } from "proxy-wasm-as/host";
import { filterWasm, mark, reports } from "./helpers.ts";

const wasm = filterWasm("shared");

function run(
  root: { newHttpContext(): { requestHeaders(h: Record<string, string>): unknown } },
  h: Record<string, string>,
) {
  root.newHttpContext().requestHeaders({ ":path": "/", ...h });
}

test("compare-and-swap: a stale cas is CasMismatch, cas 0 overwrites, every write gets a new cas", async () => {
  const host = await Host.load(wasm, { rootId: "shared" });
  const from = mark(host);
  run(host, { "x-op": "cas-flow", "x-key": "counter" });
  const r = reports(host, from);
  assert.equal(r["flow.get0"], "null");
  assert.equal(r["flow.set0"], "0");
  assert.match(r["flow.get1"], /^v1@\d+$/);
  assert.equal(r["flow.set1"], "0");
  assert.equal(r["flow.stale"], "8");
  assert.match(r["flow.get2"], /^v2@\d+$/);
  assert.equal(r["flow.changed"], "yes");
  assert.equal(r["flow.force"], "0");
  const entry = host.sharedData.get("counter");
  assert.equal(entry?.value.toString(), "v4");
  assert.equal(r["flow.get3"], `v4@${entry?.cas}`);
});

test("values written by the host are read with their cas; values written by the filter reach the host", async () => {
  const host = await Host.load(wasm, { rootId: "shared" });
  host.sharedData.set("greeting", "hi there");
  const cas = host.sharedData.get("greeting")!.cas;
  let from = mark(host);
  run(host, { "x-op": "get", "x-key": "greeting" });
  assert.equal(reports(host, from)["get"], `hi there@${cas}`);
  from = mark(host);
  run(host, {
    "x-op": "set",
    "x-key": "greeting",
    "x-value": "stale",
    "x-cas": String(cas + 1000),
  });
  assert.equal(reports(host, from)["set"], "8");
  from = mark(host);
  run(host, { "x-op": "set", "x-key": "greeting", "x-value": "fresh", "x-cas": String(cas) });
  assert.equal(reports(host, from)["set"], "0");
  assert.equal(host.sharedData.get("greeting")?.value.toString(), "fresh");
});

test("binary values keep their bytes", async () => {
  const host = await Host.load(wasm, { rootId: "shared" });
  const from = mark(host);
  run(host, { "x-op": "bytes", "x-key": "bin" });
  const r = reports(host, from);
  assert.equal(r["bytes.set"], "0");
  assert.equal(r["bytes.length"], "3");
  assert.equal(r["bytes.1"], "255");
  assert.deepEqual([...host.sharedData.get("bin")!.value], [0, 255, 7]);
});

test("shared by every VM with the same vm_id, invisible to another vm_id", async () => {
  const host = await Host.load(wasm, { rootId: "shared", vmId: "a" });
  const sibling = await host.addVm(wasm, { rootId: "shared", vmId: "a" });
  const stranger = await host.addVm(wasm, { rootId: "shared", vmId: "b" });
  run(host, { "x-op": "set", "x-key": "k", "x-value": "from-first" });
  let from = mark(host);
  run(sibling, { "x-op": "get", "x-key": "k" });
  assert.match(reports(host, from)["get"], /^from-first@/);
  from = mark(host);
  run(stranger, { "x-op": "get", "x-key": "k" });
  assert.equal(reports(host, from)["get"], "null");
  assert.equal(host.sharedData.get("k", "b"), undefined);
});
