// What the emulator keeps, and for how long: forwarded body chunks (kept for tests, released for
// the dev proxy), the watermark of a stopped stream, local reply headers, failed VMs and their
// compiled module, and the log store's byte bound.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host, encodePairs } from "../../src/host/index.js";
import { filter } from "./helpers.js";

const PASS_BODY = `(func (export "proxy_on_request_body") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32) (i32.const 0))`;

test("retainForwardedBody: false releases forwarded chunks; sizes are still counted", async () => {
  const wasm = await filter(PASS_BODY);
  for (const retain of [true, false]) {
    const host = await Host.load(wasm, { retainForwardedBody: retain });
    const seen: number[] = [];
    const http = host.newHttpContext({ onRequestBody: (c) => seen.push(c.length) });
    http.requestHeaders({ ":path": "/", ":method": "POST" });
    for (let i = 0; i < 10; i++) assert.equal(http.requestBody("x".repeat(1000)), Action.Continue);
    http.requestBody("", { endOfStream: true });
    http.responseHeaders({ ":status": "200" });
    http.responseBody("abc", { endOfStream: true });
    assert.equal(seen.length, 11, "the listener hears every chunk either way");
    assert.equal(http.request.bodyBytesForwarded, 10000);
    assert.equal(http.response.bodyBytesForwarded, 3);
    assert.equal(http.request.bodyChunks.length, retain ? 11 : 0);
    assert.equal(http.request.body.length, retain ? 10000 : 0);
    assert.deepEqual(
      http.request.retained,
      retain ? { chunks: 11, bytes: 10000 } : { chunks: 0, bytes: 0 },
    );
    assert.equal(http.response.text(), retain ? "abc" : "");
    assert.ok(http.request.ended && http.response.ended);
  }
});

test("a local reply keeps the filter's content-type (text/plain only when none), one content-length", async () => {
  const cases: [string, [string, string][], string, [string, string][]][] = [
    ["body", [["content-type", "text/plain"]], "denied", [["content-type", "text/plain"]]],
    ["json", [["Content-Type", "application/json"]], "{}", [["content-type", "application/json"]]],
    ["none", [["x-a", "1"]], "no", [["content-type", "text/plain"]]],
    ["length", [["content-length", "999"]], "abc", [["content-type", "text/plain"]]],
    ["empty", [["content-type", "application/json"]], "", []],
  ];
  for (const [name, headers, body, want] of cases) {
    const wasm = await filter(
      ({ s }) => `(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
        (drop (call $proxy_send_local_response (i32.const 403) ${s("")} ${s(body)} ${s(encodePairs(headers))} (i32.const -1)))
        (i32.const 0))`,
    );
    for (const through of [true, false]) {
      const host = await Host.load(wasm, { localReplyThroughFilter: through });
      const http = host.newHttpContext();
      http.requestHeaders({ ":path": "/" }, { endOfStream: true });
      const h = http.response.headers;
      assert.deepEqual(
        h.getAll("content-type").map((v) => ["content-type", v]),
        want,
        `${name}: content-type`,
      );
      assert.deepEqual(
        h.getAll("content-length"),
        body.length ? [String(body.length)] : [],
        `${name}: content-length`,
      );
      assert.equal(http.response.text(), body);
    }
  }
});
