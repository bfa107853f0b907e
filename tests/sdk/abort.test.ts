// Aborts (a thrown error, an index out of range): the critical log line names message, file, line
// and column; the VM traps; fail-closed streams get the 503 local reply, fail-open ones continue.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Host, Action } from "proxy-wasm-as/host";
import { ROOT, filterWasm } from "./helpers.ts";

const wasm = filterWasm("abort");
const SOURCE = "tests/filters/abort.ts";

/** "line:column" of the `throw` on the line marked `marker` in the filter's source. */
function throwAt(marker: string): string {
  const lines = readFileSync(join(ROOT, SOURCE), "utf8").split("\n");
  const index = lines.findIndex((l) => l.includes(marker));
  assert.ok(index >= 0, marker);
  return `${index + 1}:${lines[index].indexOf("throw") + 1}`;
}

test("a thrown error: critical line with message, file and line; the stream gets the fail-closed 503", async () => {
  const host = await Host.load(wasm, { rootId: "abort" });
  const http = host.newHttpContext();
  assert.equal(http.requestHeaders({ ":path": "/", "x-case": "throw" }), Action.Pause);
  const [line, column] = throwAt("THROW-HERE").split(":");
  const critical = host.logs("critical");
  assert.equal(critical[0], `abort: boom in throw at ${SOURCE}:${line}:${column}`);
  assert.match(critical[1], /^Function: proxy_on_request_headers failed/);
  assert.equal(host.vm.failed, true);
  assert.equal(http.sentLocalResponse?.status, 503);
  assert.equal(http.sentLocalResponse?.details, "wasm_fail_stream");
  assert.equal(http.response.headers.get(":status"), "503");
  assert.equal(http.request.headersForwarded, false);
  // The VM stays failed: the next stream is refused as well.
  const next = host.newHttpContext();
  assert.equal(next.requestHeaders({ ":path": "/", "x-case": "fine" }), Action.Pause);
  assert.equal(next.sentLocalResponse?.status, 503);
  assert.equal(host.logs("info").includes("case=fine"), false, "the failed VM is not called");
});

test("an index out of range aborts with the library's message and place", async () => {
  const host = await Host.load(wasm, { rootId: "abort" });
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/", "x-case": "index" });
  assert.match(host.logs("critical")[0], /^abort: Index out of range at ~lib\/array\.ts:\d+:\d+$/);
  assert.equal(http.sentLocalResponse?.status, 503);
});

test("fail-open: after the trap the stream goes on untouched", async () => {
  const host = await Host.load(wasm, { rootId: "abort", failOpen: true });
  const http = host.newHttpContext();
  assert.equal(http.requestHeaders({ ":path": "/", "x-case": "throw" }), Action.Continue);
  assert.equal(http.sentLocalResponse, null);
  assert.equal(http.request.headersForwarded, true);
  assert.match(host.logs("critical")[0], /^abort: boom in throw at /);
});

test("a TCP connection whose filter throws is closed", async () => {
  const host = await Host.load(wasm, { rootId: "abort_tcp" });
  let closed = 0;
  const tcp = host.newTcpContext({ onClose: () => closed++ });
  assert.equal(tcp.downstreamData("fine"), Action.Continue);
  assert.equal(tcp.downstreamData("crash"), Action.Pause);
  assert.equal(closed, 1);
  assert.equal(tcp.downstream.text(), "fine");
  const [line, column] = throwAt("TCP-THROW-HERE").split(":");
  assert.equal(host.logs("critical")[0], `abort: tcp crash at ${SOURCE}:${line}:${column}`);
});
