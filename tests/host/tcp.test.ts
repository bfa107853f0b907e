// TCP: Envoy `source/extensions/common/wasm/context.cc` (onNewConnection, onData, onWrite,
// onEvent) and cpp-host `src/context.cc` (onDownstreamConnectionClose → onCloseTCP:
// done → log → delete).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host } from "../../src/host/index.js";
import { chunksOf, filter, hash, HASH_BODY } from "./helpers.js";

const TRACE = (s: (v: string) => string, dataResult = "(i32.const 0)") => `
  (func (export "proxy_on_context_create") (param $a i32) (param $b i32)
    (call $trace ${s("create")} (i32.const 2) (local.get $a) (local.get $b) (i32.const 0)))
  (func (export "proxy_on_new_connection") (param $a i32) (result i32)
    (call $trace ${s("new_connection")} (i32.const 1) (local.get $a) (i32.const 0) (i32.const 0)) (i32.const 0))
  (func (export "proxy_on_downstream_data") (param $a i32) (param $n i32) (param $eos i32) (result i32)
    (call $trace ${s("downstream_data")} (i32.const 3) (local.get $a) (local.get $n) (local.get $eos))
    (drop (call $proxy_get_buffer_bytes (i32.const 2) (i32.const 0) (i32.const 100) (i32.const 0x100) (i32.const 0x104)))
    (call $log_str ${s("data")})
    (call $log_num ${s("upstream_buf")} (call $proxy_get_buffer_bytes (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 0x100) (i32.const 0x104)))
    ${dataResult})
  (func (export "proxy_on_upstream_data") (param $a i32) (param $n i32) (param $eos i32) (result i32)
    (call $trace ${s("upstream_data")} (i32.const 3) (local.get $a) (local.get $n) (local.get $eos))
    (drop (call $proxy_set_buffer_bytes (i32.const 3) (i32.const 0) (i32.const 0) ${s("[")}))
    (i32.const 0))
  (func (export "proxy_on_upstream_connection_close") (param $a i32) (param $p i32)
    (call $trace ${s("upstream_close")} (i32.const 2) (local.get $a) (local.get $p) (i32.const 0)))
  (func (export "proxy_on_downstream_connection_close") (param $a i32) (param $p i32)
    (call $trace ${s("downstream_close")} (i32.const 2) (local.get $a) (local.get $p) (i32.const 0)))
  (func (export "proxy_on_done") (param $a i32) (result i32)
    (call $trace ${s("done")} (i32.const 1) (local.get $a) (i32.const 0) (i32.const 0)) (i32.const 1))
  (func (export "proxy_on_log") (param $a i32)
    (call $trace ${s("log")} (i32.const 1) (local.get $a) (i32.const 0) (i32.const 0)))
  (func (export "proxy_on_delete") (param $a i32)
    (call $trace ${s("delete")} (i32.const 1) (local.get $a) (i32.const 0) (i32.const 0)))`;

test("TCP lifecycle: new connection, data both ways, closes, then done → log → delete (context.cc onCloseTCP)", async () => {
  const host = await Host.load(await filter(({ s }) => TRACE(s)));
  const mark = host.logs().length; // the root's create
  const forwarded: string[] = [];
  const tcp = host.newTcpContext({
    onDownstreamData: (d) => forwarded.push(`up:${d}`),
    onUpstreamData: (d, eos) => forwarded.push(`down:${d}:${eos}`),
  });
  assert.equal(tcp.newConnectionAction, Action.Continue);
  assert.equal(tcp.downstreamData("ping"), Action.Continue);
  assert.equal(tcp.upstreamData("pong", { endOfStream: true }), Action.Continue);
  tcp.closeDownstream();
  assert.equal(tcp.state, "completed");
  assert.deepEqual(host.logs().slice(mark), [
    "create(2,1)",
    "new_connection(2)",
    "downstream_data(2,4,0)",
    "data=ping",
    "upstream_buf=1", // only the direction of the callback is available
    "upstream_data(2,4,1)",
    "upstream_close(2,0)", // upstream end of stream reports the close, peer Unknown
    "downstream_close(2,2)", // Remote
    "done(2)",
    "log(2)",
    "delete(2)",
  ]);
  assert.equal(tcp.downstream.text(), "ping");
  assert.equal(tcp.upstream.text(), "[pong");
  assert.deepEqual(forwarded, ["up:ping", "down:[pong:true"]);
});

test("a stopped TCP filter keeps the bytes: the next call sees them all, continue_stream(DOWNSTREAM) releases them", async () => {
  const wasm = await filter(
    ({ s }) =>
      TRACE(s, `(select (i32.const 0) (i32.const 1) (local.get $eos))`) +
      `
    (func (export "proxy_on_configure") (param i32 i32) (result i32)
      (drop (call $proxy_set_tick_period_milliseconds (i32.const 5))) (i32.const 1))
    (func (export "proxy_on_tick") (param i32)
      (drop (call $proxy_set_effective_context (i32.const 2)))
      (call $log_num ${s("continue_upstream")} (call $proxy_continue_stream (i32.const 3)))
      (call $log_num ${s("continue_downstream")} (call $proxy_continue_stream (i32.const 2))))`,
  );
  const host = await Host.load(wasm);
  const tcp = host.newTcpContext();
  assert.equal(tcp.downstreamData("ab"), Action.Pause);
  assert.equal(tcp.downstreamData("cd"), Action.Pause);
  assert.equal(tcp.downstream.text(), "");
  assert.equal(tcp.downstream.pending.toString(), "abcd");
  host.tick(5);
  assert.equal(tcp.downstream.text(), "abcd");
  assert.deepEqual(
    host
      .logs()
      .filter(
        (l) => l.startsWith("downstream_data") || l.startsWith("data") || l.startsWith("continue"),
      ),
    [
      "downstream_data(2,2,0)",
      "data=ab",
      "downstream_data(2,4,0)",
      "data=abcd",
      "continue_upstream=12",
      "continue_downstream=0",
    ],
  );
  tcp.complete();
  assert.deepEqual(host.logs().slice(-3), ["done(2)", "log(2)", "delete(2)"]);
});

test("close_stream(DOWNSTREAM) closes the connection locally after the callback", async () => {
  const wasm = await filter(({ s }) =>
    TRACE(
      s,
      `(call $log_num ${s("close")} (call $proxy_close_stream (i32.const 2))) (call $log ${s("after close")}) (i32.const 0)`,
    ),
  );
  const host = await Host.load(wasm);
  let closed = 0;
  const tcp = host.newTcpContext({ onClose: () => closed++ });
  tcp.downstreamData("x");
  assert.equal(closed, 1);
  assert.equal(tcp.state, "completed");
  assert.deepEqual(host.logs().slice(-7), [
    "upstream_buf=1",
    "close=0",
    "after close",
    "downstream_close(2,1)", // Local
    "done(2)",
    "log(2)",
    "delete(2)",
  ]);
  assert.throws(() => tcp.downstreamData("more"), /completed/);
});

test("a trap in a TCP callback closes the connection, or continues with fail_open", async () => {
  const wasm = await filter(
    `(func (export "proxy_on_downstream_data") (param i32 i32 i32) (result i32) (unreachable))`,
  );
  const closedHost = await Host.load(wasm);
  const a = closedHost.newTcpContext();
  assert.equal(a.downstreamData("x"), Action.Pause);
  assert.equal(a.state, "completed");
  assert.match(closedHost.logs("critical")[0], /proxy_on_downstream_data failed/);
  const openHost = await Host.load(wasm, { failOpen: true });
  const b = openHost.newTcpContext();
  assert.equal(b.downstreamData("x"), Action.Continue);
  assert.equal(b.downstreamData("y"), Action.Continue);
  assert.equal(b.downstream.text(), "xy");
});

test("set_property works on a TCP connection (it has stream info), not on the root", async () => {
  const wasm = await filter(
    ({ s }) => `
    (func (export "proxy_on_configure") (param i32 i32) (result i32)
      (call $log_num ${s("root")} (call $proxy_set_property ${s("k")} ${s("v")})) (i32.const 1))
    (func (export "proxy_on_new_connection") (param i32) (result i32)
      (call $log_num ${s("conn")} (call $proxy_set_property ${s("k")} ${s("v")}))
      (call $log_num ${s("get")} (call $proxy_get_property ${s("k")} (i32.const 0x100) (i32.const 0x104)))
      (call $log_str ${s("value")})
      (i32.const 0))`,
  );
  const host = await Host.load(wasm);
  const tcp = host.newTcpContext();
  assert.deepEqual(host.logs(), ["root=1", "conn=0", "get=0", "value=v"]);
  assert.equal(tcp.filterState("wasm.k")?.toString(), "v");
});

/** Envoy's read buffer for a network filter: held bytes plus the new ones, every call. */
function tcpModel(chunks: Buffer[], ruleOf: (i: number) => number, mark: boolean) {
  let held = Buffer.alloc(0);
  const calls: { logs: string[]; held: Buffer }[] = [];
  const forwarded: Buffer[] = [];
  for (const [i, chunk] of chunks.entries()) {
    let buf = Buffer.concat([held, chunk]);
    const logs = [`size=${buf.length}`, `h=${hash(buf)}`];
    if (mark) buf = Buffer.concat([buf, Buffer.from("|")]);
    if (ruleOf(i) === 0) {
      if (buf.length) forwarded.push(buf);
      held = Buffer.alloc(0);
    } else held = buf;
    calls.push({ logs, held });
  }
  return { calls, forwarded };
}

for (const mark of [false, true]) {
  test(`a stopped TCP filter over 300 chunks sees all held bytes each call; Continue forwards them byte for byte${mark ? " (with set_buffer_bytes)" : ""}`, async () => {
    // Continue on every 5th call, else StopIteration.
    const rule = `(select (i32.const 0) (i32.const 1) (i32.eq (i32.rem_u (local.get $i) (i32.const 5)) (i32.const 4)))`;
    const ruleOf = (i: number) => (i % 5 === 4 ? 0 : 1);
    const wasm = await filter(({ s }) => HASH_BODY(s, "proxy_on_downstream_data", 2, rule, mark));
    const host = await Host.load(wasm);
    const tcp = host.newTcpContext();
    const chunks = chunksOf(0x7c9, 300, 700);
    const model = tcpModel(chunks, ruleOf, mark);
    const scratch = new Uint8Array(1024);
    for (const [i, chunk] of chunks.entries()) {
      scratch.set(chunk);
      const action = tcp.downstreamData(scratch.subarray(0, chunk.length));
      scratch.fill(0xee);
      assert.equal(action, ruleOf(i) === 0 ? Action.Continue : Action.Pause, `call ${i}`);
      assert.deepEqual(host.logs().slice(-2), model.calls[i].logs, `call ${i}`);
      assert.ok(tcp.downstream.pending.equals(model.calls[i].held), `held after call ${i}`);
    }
    // Forwarded chunks are checked at the end: later held bytes must not have overwritten them.
    assert.equal(
      tcp.downstream.forwarded.toString("hex"),
      Buffer.concat(model.forwarded).toString("hex"),
    );
    assert.ok(model.forwarded.length === 60);
  });
}

test("continue_stream(DOWNSTREAM) releases 300 held chunks as they arrived", async () => {
  const wasm = await filter(
    ({ s }) =>
      HASH_BODY(s, "proxy_on_downstream_data", 2, "(i32.const 1)", false) +
      `
    (func (export "proxy_on_configure") (param i32 i32) (result i32)
      (drop (call $proxy_set_tick_period_milliseconds (i32.const 5))) (i32.const 1))
    (func (export "proxy_on_tick") (param i32)
      (drop (call $proxy_set_effective_context (i32.const 2)))
      (drop (call $proxy_continue_stream (i32.const 2))))`,
  );
  const host = await Host.load(wasm);
  const seen: Buffer[] = [];
  const tcp = host.newTcpContext({ onDownstreamData: (d) => seen.push(Buffer.from(d)) });
  const chunks = chunksOf(0xabc, 300, 700);
  for (const chunk of chunks) assert.equal(tcp.downstreamData(chunk), Action.Pause);
  const all = Buffer.concat(chunks);
  assert.deepEqual(host.logs().slice(-2), [`size=${all.length}`, `h=${hash(all)}`]);
  assert.ok(tcp.downstream.pending.equals(all));
  host.tick(5);
  assert.equal(seen.length, 1);
  assert.ok(seen[0].equals(all));
  assert.ok(tcp.downstream.forwarded.equals(all));
  assert.equal(tcp.downstream.pending.length, 0);
  // The next chunks start a new read buffer; the released bytes stay as they were.
  assert.equal(tcp.downstreamData("more"), Action.Pause);
  assert.ok(tcp.downstream.forwarded.equals(all));
  assert.equal(tcp.downstream.pending.toString(), "more");
});
