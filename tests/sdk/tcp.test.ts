// TCP contexts: downstream_data / upstream_data rewriting, holding data with StopIteration,
// continueDownstream, closeDownstream / closeUpstream, and the close → done → log → delete order.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, Action } from "proxy-wasm-as/host";
import { filterWasm, mark, reports } from "./helpers.ts";

const wasm = filterWasm("tcp");
const load = () => Host.load(wasm, { rootId: "tcp" });
const events = (host: Host, from: number) =>
  host
    .logs()
    .slice(from)
    .filter((l) => l.startsWith("event="))
    .map((l) => l.slice(6));

test("client data is rewritten, server data wrapped; sizes and end_of_stream are passed", async () => {
  const host = await load();
  const from = mark(host);
  const tcp = host.newTcpContext();
  assert.equal(tcp.newConnectionAction, Action.Continue);
  assert.equal(tcp.downstreamData("ping\n"), Action.Continue);
  let r = reports(host, from);
  assert.equal(r["downstream.size"], "5");
  assert.equal(r["downstream.eos"], "false");
  assert.equal(r["downstream.length"], "5");
  assert.equal(r["upstream.outside"], "-1", "upstream data is not available in onDownstreamData");
  assert.equal(r["replace"], "0");
  assert.equal(tcp.downstream.text(), "PING\n");
  assert.equal(tcp.upstreamData("pong", { endOfStream: true }), Action.Continue);
  r = reports(host, from);
  assert.equal(r["upstream.size"], "4");
  assert.equal(r["upstream.eos"], "true");
  assert.equal(tcp.upstream.text(), "[pong]");
  assert.deepEqual(events(host, from), ["new_connection", "upstream_close:0"]);
});

test("StopIteration holds the bytes; the next callback sees them all", async () => {
  const host = await load();
  const tcp = host.newTcpContext();
  const from = mark(host);
  assert.equal(tcp.downstreamData("hel"), Action.Pause);
  assert.equal(tcp.downstream.text(), "");
  assert.equal(tcp.downstreamData("lo\n"), Action.Continue);
  assert.equal(reports(host, from)["downstream.size"], "6");
  assert.equal(tcp.downstream.text(), "HELLO\n");
});

test("continueDownstream releases held bytes unchanged", async () => {
  const host = await load();
  const tcp = host.newTcpContext();
  const from = mark(host);
  assert.equal(tcp.downstreamData("later\n"), Action.Pause);
  assert.equal(tcp.downstream.text(), "");
  tcp.upstreamData("tick");
  assert.equal(reports(host, from)["continue"], "0");
  assert.equal(tcp.downstream.text(), "later\n");
  assert.equal(tcp.upstream.text(), "[tick]");
});

test("closeDownstream / closeUpstream close the connection: close, then done → log → delete", async () => {
  for (const [line, key] of [
    ["quit\n", "close"],
    ["bye\n", "close.upstream"],
  ]) {
    const host = await load();
    let closed = 0;
    const tcp = host.newTcpContext({ onClose: () => closed++ });
    const from = mark(host);
    tcp.downstreamData(line);
    assert.equal(reports(host, from)[key], "0");
    assert.equal(closed, 1);
    assert.equal(tcp.state, "completed");
    assert.equal(tcp.downstream.text(), "");
    assert.deepEqual(events(host, from), ["downstream_close:1", "done", "log", "delete"]);
  }
});

test("the peer closes: upstream then downstream close, then done → log → delete", async () => {
  const host = await load();
  const tcp = host.newTcpContext();
  const from = mark(host);
  tcp.closeUpstream("remote");
  tcp.closeDownstream("remote");
  assert.deepEqual(events(host, from), [
    "upstream_close:2",
    "downstream_close:2",
    "done",
    "log",
    "delete",
  ]);
});
