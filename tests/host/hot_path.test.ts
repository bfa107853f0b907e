// The emulator's fast paths must not show: body chunks the caller passes in are used without a
// copy only while the call runs, strings cross memory through cached views and a cache of
// decoded keys, and short ASCII values are written char by char.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host } from "../../src/host/index.js";
import { bytesToString } from "../../src/host/pairs.js";
import { filter, type Strings } from "./helpers.js";

const REQ = 0;

function getValue({ s }: Strings, key: string | Uint8Array, label: string): string {
  return `
    (i32.store (i32.const 0x104) (i32.const 0))
    (call $log_num ${s(label)} (call $proxy_get_header_map_value (i32.const ${REQ}) ${s(key)} (i32.const 0x100) (i32.const 0x104)))
    (call $log_str ${s(label + ".v")})`;
}

test("the caller's body array is not kept: changing it afterwards reaches neither the forwarded nor the queued body", async () => {
  const wasm = await filter(
    (str) => `
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 1))
    (func (export "proxy_on_request_body") (param $c i32) (param $size i32) (param $eos i32) (result i32)
      (call $trace ${str.s("req")} (i32.const 3) (local.get $size) (local.get $eos) (i32.const 0))
      (i32.const 0))
    (func (export "proxy_on_response_body") (param $c i32) (param $size i32) (param $eos i32) (result i32)
      (call $trace ${str.s("res")} (i32.const 3) (local.get $size) (local.get $eos) (i32.const 0))
      ;; StopIterationAndBuffer until the end of stream
      (select (i32.const 0) (i32.const 1) (local.get $eos)))
    (func (export "proxy_on_queue_ready") (param i32 i32)
      (drop (call $proxy_set_effective_context (i32.const 2)))
      (drop (call $proxy_continue_stream (i32.const 0))))
    (func (export "proxy_on_configure") (param i32 i32) (result i32)
      (drop (call $proxy_register_shared_queue ${str.s("q")} (i32.const 0x108))) (i32.const 1))`,
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  assert.equal(http.requestHeaders({ ":path": "/" }), Action.Pause);
  // Queued while the headers are stopped, then changed by the caller.
  const queued = Buffer.from("queued");
  assert.equal(http.requestBody(queued, { endOfStream: true }), Action.Pause);
  queued.fill("x");
  assert.equal(http.request.pendingBody.length, 0);
  host.enqueue(host.queue("q")!.id, "go");
  assert.equal(http.request.text(), "queued");

  // Forwarded as it came (a view with an offset into a larger array), then changed.
  http.responseHeaders({ ":status": "200" });
  const whole = new Uint8Array(Buffer.from("--abc--"));
  const view = whole.subarray(2, 5);
  assert.equal(http.responseBody(view), Action.Pause); // buffered
  whole.fill(0x79);
  assert.equal(http.response.pendingBody.toString(), "abc");
  const last = Buffer.from("def");
  assert.equal(http.responseBody(last, { endOfStream: true }), Action.Continue);
  last.fill("z");
  assert.equal(http.response.text(), "abcdef");
  assert.deepEqual(host.logs(), ["req(6,1,0)", "res(3,0,0)", "res(6,1,0)"]);
});

test("an unbuffered chunk passed straight on is a copy too", async () => {
  const wasm = await filter(
    `(func (export "proxy_on_request_body") (param i32 i32 i32) (result i32) (i32.const 0))`,
  );
  const host = await Host.load(wasm);
  const forwarded: Buffer[] = [];
  const http = host.newHttpContext({ onRequestBody: (c) => forwarded.push(c) });
  http.requestHeaders({ ":path": "/" });
  const plain = new Uint8Array([0x68, 0x69]);
  assert.equal(http.requestBody(plain, { endOfStream: true }), Action.Continue);
  plain.fill(0);
  assert.equal(forwarded.length, 1);
  assert.equal(forwarded[0].toString(), "hi");
  assert.equal(http.request.text(), "hi");
});

test("a chunk replaced by the filter, whole or in part, forwards the filter's bytes", async () => {
  const wasm = await filter(
    (str) => `
    (func (export "proxy_on_response_body") (param $c i32) (param $size i32) (param $eos i32) (result i32)
      (if (local.get $eos)
        (then (drop (call $proxy_set_buffer_bytes (i32.const 1) (i32.const 0) (i32.const 2) ${str.s("AB")})))
        (else (drop (call $proxy_set_buffer_bytes (i32.const 1) (i32.const 0) (i32.const 100) ${str.s("XYZ")}))))
      (i32.const 0))`,
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" }, { endOfStream: true });
  http.responseHeaders({ ":status": "200" });
  const first = Buffer.from("first");
  http.responseBody(first);
  const second = Buffer.from("second");
  http.responseBody(second, { endOfStream: true });
  first.fill(0);
  second.fill(0);
  assert.equal(http.response.text(), "XYZABcond");
  assert.deepEqual(
    http.response.bodyChunks.map((c) => c.toString()),
    ["XYZ", "ABcond"],
  );
});

test("keys and values through the string fast paths: cache hits, near misses, non-ASCII, invalid UTF-8, growth", async () => {
  const bad = new Uint8Array([0x78, 0x2d, 0xff, 0x62]); // "x-\xffb"
  const wasm = await filter((str) => {
    const reads = [];
    // The same keys again and again (cache hits), keys differing in one byte, and keys of the
    // same bytes in a different order.
    for (let round = 0; round < 3; round++)
      for (const k of ["x-ab", "x-ba", "x-aa", "x-bb", ":path", "x-missing", "x-é"])
        reads.push(getValue(str, k, `${k}#${round}`));
    return `(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      ${reads.join("\n")}
      ${getValue(str, bad, "bad")}
      ;; Every allocation now grows memory: a short ASCII value is written after the growth.
      (global.set $grow_each_alloc (i32.const 1))
      ${getValue(str, "x-ab", "grown")}
      ${getValue(str, "x-é", "grown.utf8")}
      (drop (call $proxy_replace_header_map_value (i32.const ${REQ}) ${str.s("X-New")} ${str.s("ünï")}))
      (drop (call $proxy_replace_header_map_value (i32.const ${REQ}) ${str.s("x-new")} ${str.s("v2")}))
      (i32.const 0))`;
  });
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  http.requestHeaders([
    [":path", "/p"],
    ["x-ab", "1"],
    ["x-ba", "2"],
    ["x-aa", "three"],
    ["x-bb", "€4"],
    ["x-é", "é".repeat(40)],
    ["x-\ufffdb", "replacement"],
    [bytesToString(bad), "raw byte"],
  ]);
  const logs = host.logs();
  const want: string[] = [];
  const values: Record<string, string | null> = {
    "x-ab": "1",
    "x-ba": "2",
    "x-aa": "three",
    "x-bb": "€4",
    ":path": "/p",
    "x-missing": null,
    "x-é": "é".repeat(40),
  };
  for (let round = 0; round < 3; round++)
    for (const [k, v] of Object.entries(values)) {
      want.push(`${k}#${round}=${v === null ? 1 : 0}`, `${k}#${round}.v=${v ?? ""}`);
    }
  // A key that is not UTF-8 matches by its bytes (as in Envoy), not the U+FFFD look-alike.
  want.push("bad=0", "bad.v=raw byte");
  want.push("grown=0", "grown.v=1", "grown.utf8=0", `grown.utf8.v=${"é".repeat(40)}`);
  assert.deepEqual(logs, want);
  assert.equal(http.request.headers.get("x-new"), "v2");
});
