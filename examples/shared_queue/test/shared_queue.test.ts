import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host, type RootContext } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const receiver = "shared_queue_receiver";
const sender = "shared_queue_sender";

function request(plugin: RootContext, method: string, path: string) {
  const http = plugin.newHttpContext();
  assert.equal(
    http.requestHeaders({ ":method": method, ":path": path }, { endOfStream: true }),
    Action.Continue,
    "the request never waits for the queue",
  );
  http.complete();
}

test("two plugins in one VM: the sender's messages reach the receiver", async () => {
  const host = await Host.load(wasm, { rootId: receiver, vmId: "shared_queue" });
  const send = host.addPlugin({ rootId: sender });
  request(send, "GET", "/catalog");
  request(send, "POST", "/cart?item=7");
  assert.deepEqual(host.logs("info"), [
    "receiver: listening on queue http_requests",
    "receiver: GET /catalog",
    "receiver: POST /cart?item=7",
  ]);
  assert.equal(host.metric("shared_queue.received")?.value, 2);
  assert.deepEqual(host.queue("http_requests")?.items, [], "the receiver drained the queue");
});

test("a worker VM and a singleton VM with the same vm_id share the queue", async () => {
  // As in envoy.yaml: the receiver in a bootstrap singleton VM, the sender in a worker's VM.
  const host = await Host.load(wasm, { rootId: receiver, vmId: "shared_queue" });
  const worker1 = await host.addVm(wasm, { rootId: sender, vmId: "shared_queue" });
  const worker2 = await host.addVm(wasm, { rootId: sender, vmId: "shared_queue" });
  request(worker1, "GET", "/a");
  request(worker2, "GET", "/b");
  request(worker1, "GET", "/c");
  assert.deepEqual(host.logs("info").slice(1), [
    "receiver: GET /a",
    "receiver: GET /b",
    "receiver: GET /c",
  ]);
});

test("items anyone on the vm_id enqueues reach the receiver, in order", async () => {
  const host = await Host.load(wasm, { rootId: receiver, vmId: "shared_queue" });
  const send = host.addPlugin({ rootId: sender });
  // Enqueued from outside the filter, as another plugin or VM on this vm_id would.
  const id = host.queue("http_requests")!.id;
  for (const n of [1, 2, 3]) host.enqueue(id, `GET /burst/${n}`);
  request(send, "GET", "/after");
  assert.deepEqual(host.logs("info").slice(1), [
    "receiver: GET /burst/1",
    "receiver: GET /burst/2",
    "receiver: GET /burst/3",
    "receiver: GET /after",
  ]);
});

test("before the receiver exists the sender drops messages, then picks the queue up", async () => {
  const host = await Host.load(wasm, { rootId: sender, vmId: "shared_queue" });
  request(host.plugin, "GET", "/early");
  assert.deepEqual(host.logs("warn"), [
    "sender: queue http_requests is not registered; dropped: GET /early",
  ]);
  host.addPlugin({ rootId: receiver });
  request(host.plugin, "GET", "/later");
  assert.deepEqual(host.logs("info"), [
    "receiver: listening on queue http_requests",
    "receiver: GET /later",
  ]);
});

test("a sender on another vm_id cannot see the queue", async () => {
  const host = await Host.load(wasm, { rootId: receiver, vmId: "shared_queue" });
  const elsewhere = await host.addVm(wasm, { rootId: sender, vmId: "other" });
  request(elsewhere, "GET", "/x");
  assert.equal(host.logs("warn").length, 1);
  assert.equal(host.metric("shared_queue.received")?.value, 0);
});
