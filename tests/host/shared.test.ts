// Shared data and shared queues: cpp-host `src/shared_data.cc` (CAS rules, vm_id scope) and
// `src/shared_queue.cc` (register / resolve / enqueue / dequeue, on_queue_ready to the last
// registrant, delivered outside any VM call).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, WasmResult } from "../../src/host/index.js";
import { filter } from "./helpers.js";

const SHARED = (s: (v: string) => string) => `
  (func $get (param $kp i32) (param $kl i32)
    (i32.store (i32.const 0x104) (i32.const 0))
    (i32.store (i32.const 0x108) (i32.const 0))
    (call $log_num ${s("get")} (call $proxy_get_shared_data (local.get $kp) (local.get $kl) (i32.const 0x100) (i32.const 0x104) (i32.const 0x108)))
    (call $log_str ${s("value")}))
  (func $cas (result i32) (i32.load (i32.const 0x108)))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (local $c1 i32)
    (call $get ${s("k")})
    (call $log_num ${s("set_new")} (call $proxy_set_shared_data ${s("k")} ${s("v1")} (i32.const 0)))
    (call $get ${s("k")})
    (local.set $c1 (call $cas))
    (call $log_num ${s("cas_nonzero")} (i32.ne (local.get $c1) (i32.const 0)))
    (call $log_num ${s("set_wrong_cas")} (call $proxy_set_shared_data ${s("k")} ${s("bad")} (i32.add (local.get $c1) (i32.const 100))))
    (call $log_num ${s("set_right_cas")} (call $proxy_set_shared_data ${s("k")} ${s("v2")} (local.get $c1)))
    (call $get ${s("k")})
    (call $log_num ${s("cas_changed")} (i32.ne (call $cas) (local.get $c1)))
    (call $log_num ${s("set_stale_cas")} (call $proxy_set_shared_data ${s("k")} ${s("v3")} (local.get $c1)))
    (call $log_num ${s("set_cas_0")} (call $proxy_set_shared_data ${s("k")} ${s("v4")} (i32.const 0)))
    (call $log_num ${s("set_new_with_cas")} (call $proxy_set_shared_data ${s("k2")} ${s("x")} (i32.const 12345)))
    (call $log_num ${s("set_empty")} (call $proxy_set_shared_data ${s("empty")} (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $get ${s("empty")})
    (call $log_num ${s("empty.ptr")} (i32.load (i32.const 0x100)))
    (i32.const 0))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
    (call $get ${s("k")})
    (i32.const 0))`;

test("shared data follows cpp-host CAS rules (shared_data.cc)", async () => {
  const host = await Host.load(await filter(({ s }) => SHARED(s)), { vmId: "vm1" });
  host.newHttpContext().requestHeaders({});
  assert.deepEqual(host.logs(), [
    "get=1", // missing key: NotFound
    "value=",
    "set_new=0",
    "get=0",
    "value=v1",
    "cas_nonzero=1",
    "set_wrong_cas=8", // CasMismatch
    "set_right_cas=0",
    "get=0",
    "value=v2",
    "cas_changed=1", // every successful set gets a fresh cas
    "set_stale_cas=8",
    "set_cas_0=0", // cas 0 overwrites unconditionally
    "set_new_with_cas=0", // a new key always succeeds
    "set_empty=0",
    "get=0",
    "value=",
    "empty.ptr=0",
  ]);
  assert.equal(host.sharedData.get("k")?.value.toString(), "v4");
  assert.deepEqual(host.sharedData.keys().sort(), ["empty", "k", "k2"]);
});

test("shared data is scoped by vm_id and shared by every VM with that id", async () => {
  const wasm = await filter(({ s }) => SHARED(s));
  const host = await Host.load(wasm, { vmId: "shared" });
  host.newHttpContext().requestHeaders({});
  const same = await host.addVm(wasm, { vmId: "shared", rootId: "second" });
  const other = await host.addVm(wasm, { vmId: "other", rootId: "third" });
  const mark = host.logs().length;
  same.newHttpContext().responseHeaders({ ":status": "200" });
  other.newHttpContext().responseHeaders({ ":status": "200" });
  assert.deepEqual(host.logs().slice(mark), ["get=0", "value=v4", "get=1", "value="]);
  assert.equal(host.vms.length, 3);
  host.sharedData.set("k", "from test", "other");
  other.newHttpContext().responseHeaders({ ":status": "200" });
  assert.deepEqual(host.logs().slice(-2), ["get=0", "value=from test"]);
});

const QUEUES = (s: (v: string) => string) => `
  (func (export "proxy_on_configure") (param $root i32) (param i32) (result i32)
    (call $log_num ${s("register")} (call $proxy_register_shared_queue ${s("jobs")} (i32.const 0x108)))
    (call $log_num ${s("id")} (i32.load (i32.const 0x108)))
    (call $log_num ${s("register_again")} (call $proxy_register_shared_queue ${s("jobs")} (i32.const 0x108)))
    (call $log_num ${s("id")} (i32.load (i32.const 0x108)))
    (call $log_num ${s("register_other")} (call $proxy_register_shared_queue ${s("other")} (i32.const 0x108)))
    (call $log_num ${s("id")} (i32.load (i32.const 0x108)))
    (i32.const 1))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
    (call $log_num ${s("resolve_own")} (call $proxy_resolve_shared_queue (i32.const 0) (i32.const 0) ${s("jobs")} (i32.const 0x108)))
    (call $log_num ${s("id")} (i32.load (i32.const 0x108)))
    (call $log_num ${s("resolve_named_vm")} (call $proxy_resolve_shared_queue ${s("qvm")} ${s("jobs")} (i32.const 0x108)))
    (call $log_num ${s("resolve_other_vm")} (call $proxy_resolve_shared_queue ${s("elsewhere")} ${s("jobs")} (i32.const 0x108)))
    (call $log_num ${s("resolve_missing")} (call $proxy_resolve_shared_queue (i32.const 0) (i32.const 0) ${s("nope")} (i32.const 0x108)))
    (call $log_num ${s("enqueue_a")} (call $proxy_enqueue_shared_queue (i32.const 1) ${s("a")}))
    (call $log_num ${s("enqueue_b")} (call $proxy_enqueue_shared_queue (i32.const 1) ${s("b")}))
    (call $log_num ${s("enqueue_unknown")} (call $proxy_enqueue_shared_queue (i32.const 99) ${s("x")}))
    (call $log_num ${s("dequeue_unknown")} (call $proxy_dequeue_shared_queue (i32.const 99) (i32.const 0x100) (i32.const 0x104)))
    (call $log ${s("end of on_request_headers")})
    (i32.const 0))
  (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
    (call $log_num ${s("dequeue_empty")} (call $proxy_dequeue_shared_queue (i32.const 1) (i32.const 0x100) (i32.const 0x104)))
    (i32.const 0))
  (func (export "proxy_on_queue_ready") (param $root i32) (param $q i32)
    (call $trace ${s("queue_ready")} (i32.const 2) (local.get $root) (local.get $q) (i32.const 0))
    (i32.store (i32.const 0x104) (i32.const 0))
    (call $log_num ${s("dequeue")} (call $proxy_dequeue_shared_queue (local.get $q) (i32.const 0x100) (i32.const 0x104)))
    (call $log_str ${s("item")}))`;

test("queues: register is idempotent, resolve by vm_id, enqueue notifies after the call, dequeue FIFO then Empty", async () => {
  const host = await Host.load(await filter(({ s }) => QUEUES(s)), { vmId: "qvm" });
  assert.deepEqual(host.logs(), [
    "register=0",
    "id=1",
    "register_again=0",
    "id=1",
    "register_other=0",
    "id=2",
  ]);
  const mark = host.logs().length;
  host.newHttpContext().requestHeaders({});
  assert.deepEqual(host.logs().slice(mark), [
    "resolve_own=0",
    "id=1",
    "resolve_named_vm=0",
    "resolve_other_vm=1",
    "resolve_missing=1",
    "enqueue_a=0",
    "enqueue_b=0",
    "enqueue_unknown=1",
    "dequeue_unknown=1",
    "end of on_request_headers",
    // delivered once the VM call is over, once per item
    "queue_ready(1,1)",
    "dequeue=0",
    "item=a",
    "queue_ready(1,1)",
    "dequeue=0",
    "item=b",
  ]);
  assert.deepEqual(host.queue("jobs", "qvm")?.items, []);
  host.enqueue(1, "c");
  host.enqueue(1, "d");
  assert.deepEqual(host.logs().slice(-6), [
    "queue_ready(1,1)",
    "dequeue=0",
    "item=c",
    "queue_ready(1,1)",
    "dequeue=0",
    "item=d",
  ]);
  assert.equal(host.enqueue(42, "x"), WasmResult.NotFound);
});

test("the last registrant's root context gets on_queue_ready; Empty when nothing is left", async () => {
  const wasm = await filter(({ s }) => QUEUES(s));
  const host = await Host.load(wasm, { vmId: "qvm", rootId: "first" });
  const second = host.addPlugin({ rootId: "second" });
  assert.equal(second.id, 2);
  assert.equal(second.vm, host.vm);
  // a root context in another VM with the same vm_id registers last
  const third = await host.addVm(wasm, { vmId: "qvm", rootId: "third" });
  const mark = host.logs().length;
  host.enqueue(1, "only");
  host.enqueue(1, "twice?");
  const q = host.queue("jobs", "qvm")!;
  assert.equal(q.items.length, 0);
  assert.deepEqual(host.logs().slice(mark), [
    `queue_ready(${third.id},1)`,
    "dequeue=0",
    "item=only",
    `queue_ready(${third.id},1)`,
    "dequeue=0",
    "item=twice?",
  ]);
  // nothing left: dequeue answers Empty (7)
  host.newHttpContext().responseHeaders({ ":status": "200" });
  assert.equal(host.logs().at(-1), "dequeue_empty=7");
});
