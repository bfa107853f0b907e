// Shared queue wrappers: register (idempotent), resolve (own and other vm_id), enqueue,
// dequeue until empty, onQueueReady once per item and never inside a callback.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host } from "proxy-wasm-as/host";
import { filterWasm, mark, reports } from "./helpers.ts";

const wasm = filterWasm("queue");

function enqueue(
  root: { newHttpContext(): { requestHeaders(h: Record<string, string>): unknown } },
  items: string,
  queue = "jobs",
  vm = "",
) {
  root.newHttpContext().requestHeaders({
    ":path": "/",
    "x-op": "enqueue",
    "x-queue": queue,
    "x-vm": vm,
    "x-items": items,
  });
}

test("register returns the same id twice; the id is the host's", async () => {
  const host = await Host.load(wasm, { rootId: "queue" });
  const r = reports(host);
  const q = host.queue("jobs");
  assert.ok(q);
  assert.equal(r["registered"], String(q.id));
  assert.notEqual(q.id, 0);
  assert.equal(r["registered.again"], String(q.id));
});

test("enqueue from a stream: onQueueReady after the callback, once per item; FIFO dequeue until empty", async () => {
  const host = await Host.load(wasm, { rootId: "queue" });
  const id = host.queue("jobs")!.id;
  const from = mark(host);
  enqueue(host, "a,b");
  assert.deepEqual(host.logs().slice(from), [
    `resolved=${id}`,
    "enqueue.0=0",
    "enqueue.1=0",
    `ready=${id}`,
    "got=a",
    "got=b",
    `ready=${id}`,
    "drained=empty",
  ]);
  assert.deepEqual(host.queue("jobs")!.items, []);
});

test("items enqueued by the host are delivered to the registering root", async () => {
  const host = await Host.load(wasm, { rootId: "queue" });
  const id = host.queue("jobs")!.id;
  const from = mark(host);
  assert.equal(host.enqueue(id, "external"), 0);
  assert.deepEqual(host.logs().slice(from), [`ready=${id}`, "got=external"]);
});

test("errors: unknown names resolve to 0, unknown ids are NotFound, an empty queue dequeues null", async () => {
  const host = await Host.load(wasm, { rootId: "queue" });
  const from = mark(host);
  host.newHttpContext().requestHeaders({ ":path": "/", "x-op": "errors" });
  const r = reports(host, from);
  assert.equal(r["resolve.missing"], "0 1");
  assert.equal(r["enqueue.unknown"], "1");
  assert.equal(r["dequeue.unknown"], "null");
  assert.equal(r["dequeue.empty"], "null");
});

test("the last registrant of a name gets onQueueReady; another vm_id's queue resolves by its vm_id", async () => {
  const host = await Host.load(wasm, { rootId: "queue", pluginName: "first" });
  await host.addVm(wasm, { rootId: "queue", pluginName: "second" });
  await host.addVm(wasm, {
    rootId: "queue",
    pluginName: "remote",
    vmId: "other",
    pluginConfig: "remote-jobs",
  });
  const from = host.logEntries.length;
  enqueue(host, "x");
  enqueue(host, "y", "remote-jobs", "other");
  const got = host.logEntries
    .slice(from)
    .filter((e) => e.message.startsWith("got="))
    .map((e) => `${e.pluginName}:${e.message}`);
  assert.deepEqual(got, ["second:got=x", "remote:got=y"]);
  const resolved = host.logEntries.slice(from).filter((e) => e.message.startsWith("resolved="));
  assert.equal(resolved[1].message, `resolved=${host.queue("remote-jobs", "other")!.id}`);
});
