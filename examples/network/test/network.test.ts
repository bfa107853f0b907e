import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host, StartError } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const config = {
  downstream_rewrite: { from: "HELO", to: "EHLO" },
  upstream_rewrite: { from: "backend-3.internal", to: "proxy" },
  max_downstream_bytes: 64,
};
const load = (pluginConfig: object | string = config) =>
  Host.load(wasm, { rootId: "network", pluginConfig, logLevel: "info" });

test("bytes are rewritten in both directions and counted", async () => {
  const host = await load();
  const tcp = host.newTcpContext();
  assert.equal(tcp.newConnectionAction, Action.Continue);
  assert.equal(host.metric("network.active_connections")?.value, 1);

  const fromServer = [
    "220 backend-3.internal ESMTP ready\r\n",
    "250 backend-3.internal greets client.example\r\n",
    "221 bye\r\n",
  ];
  const fromClient = ["HELO client.example\r\n", "QUIT\r\n"];
  assert.equal(tcp.upstreamData(fromServer[0]), Action.Continue);
  assert.equal(tcp.downstreamData(fromClient[0]), Action.Continue);
  tcp.upstreamData(fromServer[1]);
  tcp.downstreamData(fromClient[1]);
  tcp.upstreamData(fromServer[2], { endOfStream: true }); // the server closes
  tcp.closeDownstream(); // then the client

  assert.equal(tcp.downstream.text(), "EHLO client.example\r\nQUIT\r\n");
  assert.equal(
    tcp.upstream.text(),
    "220 proxy ESMTP ready\r\n250 proxy greets client.example\r\n221 bye\r\n",
  );
  // Counted as they arrived, before the rewrite.
  const received = fromClient.join("").length;
  const sent = fromServer.join("").length;
  assert.equal(host.metric("network.downstream_bytes")?.value, received);
  assert.equal(host.metric("network.upstream_bytes")?.value, sent);
  assert.equal(tcp.state, "completed");
  assert.equal(host.metric("network.active_connections")?.value, 0);
  assert.deepEqual(host.logs("info"), [
    `network: connection ${tcp.id} closed by the client`,
    `network: connection ${tcp.id}: ${received} bytes from the client, ${sent} bytes from the server`,
  ]);
});

test("every occurrence in a chunk is replaced, binary bytes around it are kept", async () => {
  const host = await load();
  const tcp = host.newTcpContext();
  const chunk = Buffer.concat([Buffer.from([0, 255]), Buffer.from("HELOHELO"), Buffer.from([7])]);
  tcp.downstreamData(chunk);
  assert.deepEqual(
    tcp.downstream.forwarded,
    Buffer.concat([Buffer.from([0, 255]), Buffer.from("EHLOEHLO"), Buffer.from([7])]),
  );
});

test("a client over its byte budget is cut off; the excess never reaches the server", async () => {
  const host = await load();
  let closed = false;
  const tcp = host.newTcpContext({ onClose: () => (closed = true) });
  assert.equal(tcp.downstreamData("x".repeat(60)), Action.Continue);
  assert.equal(tcp.downstreamData("y".repeat(10)), Action.Pause);
  assert.equal(closed, true);
  assert.equal(tcp.state, "completed");
  assert.equal(tcp.downstream.text(), "x".repeat(60));
  assert.deepEqual(host.logs("info"), [
    `network: closing connection ${tcp.id}: over the byte budget`,
    `network: connection ${tcp.id} closed by the proxy`,
    `network: connection ${tcp.id}: 70 bytes from the client, 0 bytes from the server`,
  ]);
});

test("connections are counted separately; without configuration bytes pass unchanged", async () => {
  const host = await load("");
  const a = host.newTcpContext();
  const b = host.newTcpContext();
  assert.equal(host.metric("network.active_connections")?.value, 2);
  a.downstreamData("HELO a\r\n");
  b.downstreamData("x".repeat(1000));
  a.closeUpstream();
  a.closeDownstream();
  assert.equal(a.downstream.text(), "HELO a\r\n");
  assert.equal(b.downstream.forwarded.length, 1000);
  assert.equal(host.metric("network.active_connections")?.value, 1);
  assert.equal(host.metric("network.downstream_bytes")?.value, 1008);
});

function refused(pluginConfig: unknown, line: string) {
  return assert.rejects(
    Host.load(wasm, { rootId: "network", pluginConfig: pluginConfig as object }),
    (err: unknown) => err instanceof StartError && err.logs.some((l) => l.includes(line)),
  );
}

test("bad configuration stops the plugin with a log line that says why", async () => {
  await refused("{max_downstream_bytes: 1}", "network configuration is not valid JSON");
  await refused({ downstream_rewrite: "HELO" }, '"downstream_rewrite" must be {"from"');
  await refused({ upstream_rewrite: { from: "", to: "x" } }, '"upstream_rewrite" must be {"from"');
  await refused({ upstream_rewrite: { from: "a" } }, '"upstream_rewrite" must be {"from"');
  await refused({ max_downstream_bytes: 0 }, '"max_downstream_bytes" must be a positive integer');
});
