// Header map hostcalls: Envoy `source/extensions/common/wasm/context.cc` (getHeaderMapValue,
// addHeaderMapValue, replaceHeaderMapValue, removeHeaderMapValue, get/setHeaderMapPairs,
// getHeaderMapSize) and cpp-host `src/pairs_util.cc` for the pairs format.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host, encodePairs, decodePairs } from "../../src/host/index.js";
import { bytesToString, stringToBytes } from "../../src/host/pairs.js";
import { filter, type Strings } from "./helpers.js";

const REQ = 0;
const RES = 2;

/** WAT: get the value of `key` in map `type`, log "<label>=<result>" and, if Ok, "<label>.v=<value>". */
function getValue({ s }: Strings, type: number, key: string, label: string): string {
  return `
    (i32.store (i32.const 0x104) (i32.const 0))
    (call $log_num ${s(label)} (call $proxy_get_header_map_value (i32.const ${type}) ${s(key)} (i32.const 0x100) (i32.const 0x104)))
    (call $log_str ${s(label + ".v")})`;
}

test("add appends a new entry, replace sets the first in place, remove drops all; keys lower-cased", async () => {
  const wasm = await filter(
    (str) => `(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (call $log_num ${str.s("add")} (call $proxy_add_header_map_value (i32.const 0) ${str.s("X-Multi")} ${str.s("two")}))
      (call $log_num ${str.s("replace")} (call $proxy_replace_header_map_value (i32.const 0) ${str.s("X-Rep")} ${str.s("new")}))
      (call $log_num ${str.s("replace_absent")} (call $proxy_replace_header_map_value (i32.const 0) ${str.s("X-Absent")} ${str.s("v")}))
      (call $log_num ${str.s("remove")} (call $proxy_remove_header_map_value (i32.const 0) ${str.s("X-Gone")}))
      (call $log_num ${str.s("remove_missing")} (call $proxy_remove_header_map_value (i32.const 0) ${str.s("nothing")}))
      ${getValue(str, REQ, "X-MULTI", "first")}
      ${getValue(str, REQ, "missing", "missing")}
      (call $log_num ${str.s("size")} (call $proxy_get_header_map_size (i32.const 0) (i32.const 0x108)))
      (call $log_num ${str.s("bytes")} (i32.load (i32.const 0x108)))
      (i32.const 0))`,
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  http.requestHeaders([
    [":path", "/"],
    ["x-multi", "one"],
    ["x-rep", "a"],
    ["x-rep", "b"],
    ["x-gone", "1"],
    ["X-Gone", "2"],
  ]);
  assert.deepEqual(http.request.headers.entries(), [
    [":path", "/"],
    ["x-multi", "one"],
    ["x-rep", "new"],
    ["x-rep", "b"],
    ["x-multi", "two"],
    ["x-absent", "v"],
  ]);
  const bytes = http.request.headers.entries().reduce((n, [k, v]) => n + k.length + v.length, 0);
  assert.deepEqual(host.logs(), [
    "add=0",
    "replace=0",
    "replace_absent=0",
    "remove=0",
    "remove_missing=0",
    "first=0",
    "first.v=one", // the first value only
    "missing=1",
    "missing.v=",
    "size=0",
    `bytes=${bytes}`, // ⚠ Envoy byteSize(): keys + values, not the serialized size
  ]);
});

test("get_header_map_pairs returns the pairs format; an empty map is ptr 0, len 0", async () => {
  const wasm = await filter(
    ({ s }) => `
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (call $log_num ${s("r")} (call $proxy_get_header_map_pairs (i32.const 0) (i32.const 0x100) (i32.const 0x104)))
      (call $log_hex ${s("pairs")})
      (i32.const 0))
    (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
      (i32.store (i32.const 0x100) (i32.const 77))
      (call $log_num ${s("r")} (call $proxy_get_header_map_pairs (i32.const 3) (i32.const 0x100) (i32.const 0x104)))
      (call $log_num ${s("ptr")} (i32.load (i32.const 0x100)))
      (call $log_num ${s("len")} (i32.load (i32.const 0x104)))
      (i32.const 0))`,
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  http.requestHeaders({ ":method": "GET", "X-Key": "V" });
  http.responseHeaders({ ":status": "200" });
  const expected = encodePairs([
    [":method", "GET"],
    ["x-key", "V"],
  ]).toString("hex");
  assert.deepEqual(host.logs(), ["r=0", `pairs=${expected}`, "r=0", "ptr=0", "len=0"]);
});

test("set_header_map_pairs replaces every header; invalid or over-limit bytes read as an empty map", async () => {
  const good = encodePairs([
    ["X-New", "1"],
    ["x-new", "2"],
  ]);
  const missingNul = Buffer.from(good);
  missingNul[good.length - 1] = 0x41;
  const trailing = Buffer.concat([good, Buffer.from([0])]);
  const many = encodePairs(
    Array.from({ length: 1025 }, (_, i) => [`k${i}`, "v"] as [string, string]),
  );
  const atLimit = encodePairs(
    Array.from({ length: 1024 }, (_, i) => [`k${i}`, "v"] as [string, string]),
  );
  const cases = { good, missingNul, trailing, many, atLimit };
  const results: Record<string, [string, string][]> = {};
  for (const [name, bytes] of Object.entries(cases)) {
    const wasm = await filter(
      ({ s }) => `(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
        (call $log_num ${s("set")} (call $proxy_set_header_map_pairs (i32.const 0) ${s(bytes)}))
        (i32.const 0))`,
    );
    const host = await Host.load(wasm);
    const http = host.newHttpContext();
    http.requestHeaders({ ":path": "/old", old: "x" });
    assert.deepEqual(host.logs(), ["set=0"], name); // never an error
    results[name] = http.request.headers.entries();
  }
  assert.deepEqual(results.good, [
    ["x-new", "1"],
    ["x-new", "2"],
  ]);
  assert.deepEqual(results.missingNul, []);
  assert.deepEqual(results.trailing, []);
  assert.deepEqual(results.many, []); // > 1024 pairs (PROXY_WASM_HOST_PAIRS_MAX_COUNT)
  assert.equal(results.atLimit.length, 1024);
});

test("pairs over 1 MiB parse as an empty map (PROXY_WASM_HOST_PAIRS_MAX_BYTES)", () => {
  const big = encodePairs([["k", "v".repeat(1024 * 1024)]]);
  assert.deepEqual(decodePairs(big), []);
  const fits = encodePairs([["k", "v".repeat(1024 * 1024 - 20)]]);
  assert.equal(decodePairs(fits).length, 1);
  assert.deepEqual(decodePairs(new Uint8Array([0])), []);
  assert.deepEqual(decodePairs(new Uint8Array()), []);
});

test("after on_request_headers returns Continue the map is gone: value/mutations BadArgument, pairs empty (context.cc)", async () => {
  const wasm = await filter(
    (str) => `
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 0))
    (func (export "proxy_on_request_body") (param i32 i32 i32) (result i32)
      ${getValue(str, REQ, ":path", "body.get")}
      (call $log_num ${str.s("body.add")} (call $proxy_add_header_map_value (i32.const 0) ${str.s("a")} ${str.s("b")}))
      (call $log_num ${str.s("body.remove")} (call $proxy_remove_header_map_value (i32.const 0) ${str.s("a")}))
      (call $log_num ${str.s("body.size")} (call $proxy_get_header_map_size (i32.const 0) (i32.const 0x108)))
      (call $log_num ${str.s("body.pairs")} (call $proxy_get_header_map_pairs (i32.const 0) (i32.const 0x100) (i32.const 0x104)))
      (call $log_num ${str.s("body.pairs.len")} (i32.load (i32.const 0x104)))
      (call $log_num ${str.s("body.set")} (call $proxy_set_header_map_pairs (i32.const 0) (i32.const 0) (i32.const 0)))
      (i32.const 0))
    (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
      ${getValue(str, REQ, ":path", "resp.req")}
      ${getValue(str, RES, ":status", "resp.res")}
      (call $log_num ${str.s("bad_type")} (call $proxy_get_header_map_value (i32.const 8) ${str.s("a")} (i32.const 0x100) (i32.const 0x104)))
      (call $log_num ${str.s("bad_type_pairs")} (call $proxy_get_header_map_pairs (i32.const 8) (i32.const 0x100) (i32.const 0x104)))
      (i32.const 0))
    (func (export "proxy_on_log") (param i32)
      ${getValue(str, REQ, ":path", "log.req")}
      ${getValue(str, RES, ":status", "log.res")}
      ${getValue(str, 1, "t", "log.req_trailers")}
      ${getValue(str, 3, "rt", "log.res_trailers")}
      (call $log_num ${str.s("log.add")} (call $proxy_add_header_map_value (i32.const 0) ${str.s("a")} ${str.s("b")})))`,
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/p" });
  http.requestBody("x");
  http.requestTrailers({ t: "1" });
  http.responseHeaders({ ":status": "201" });
  http.responseTrailers({ rt: "2" });
  http.complete();
  assert.deepEqual(host.logs(), [
    "body.get=2",
    "body.get.v=",
    "body.add=2",
    "body.remove=2",
    "body.size=2",
    "body.pairs=0",
    "body.pairs.len=0",
    "body.set=2",
    "resp.req=2",
    "resp.req.v=",
    "resp.res=0",
    "resp.res.v=201",
    "bad_type=2",
    "bad_type_pairs=2",
    // on_log: request/response headers and response trailers readable again; request trailers null.
    "log.req=0",
    "log.req.v=/p",
    "log.res=0",
    "log.res.v=201",
    "log.req_trailers=1",
    "log.req_trailers.v=",
    "log.res_trailers=0",
    "log.res_trailers.v=2",
    "log.add=2",
  ]);
});

test("a stopped headers callback keeps its map readable from later callbacks", async () => {
  const wasm = await filter(
    (str) => `
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 1))
    (func (export "proxy_on_tick") (param i32)
      (drop (call $proxy_set_effective_context (i32.const 2)))
      ${getValue(str, REQ, ":path", "tick")}
      (call $log_num ${str.s("add")} (call $proxy_add_header_map_value (i32.const 0) ${str.s("late")} ${str.s("yes")}))
      (drop (call $proxy_continue_stream (i32.const 0))))
    (func (export "proxy_on_vm_start") (param i32 i32) (result i32)
      (i32.const 1))
    (func (export "proxy_on_configure") (param i32 i32) (result i32)
      (drop (call $proxy_set_tick_period_milliseconds (i32.const 100))) (i32.const 1))`,
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  assert.equal(http.requestHeaders({ ":path": "/x" }), Action.Pause);
  assert.equal(http.lastStatus?.status, "StopAllIterationAndWatermark");
  assert.equal(http.request.headersForwarded, false);
  host.tick(100);
  assert.deepEqual(host.logs(), ["tick=0", "tick.v=/x", "add=0"]);
  assert.equal(http.request.headersForwarded, true);
  assert.equal(http.request.headers.get("late"), "yes");
});

test("header values cross a memory growth inside the allocator (memory.buffer is re-read)", async () => {
  const wasm = await filter(
    (str) => `(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (global.set $grow_each_alloc (i32.const 1))
      (call $log_num ${str.s("pages.before")} (memory.size))
      ${getValue(str, REQ, "x-long", "v")}
      (call $log_num ${str.s("pages.after.gt")} (i32.gt_u (memory.size) (i32.const 2)))
      (i32.const 0))`,
  );
  const host = await Host.load(wasm);
  const long = "L".repeat(70000);
  host.newHttpContext().requestHeaders({ "x-long": long });
  assert.deepEqual(host.logs().slice(0, 2), ["pages.before=2", "v=0"]);
  assert.equal(host.logs()[2], `v.v=${long}`);
  assert.equal(host.logs()[3], "pages.after.gt=1");
});

test("an out-of-range pointer is InvalidMemoryAccess (6)", async () => {
  const wasm = await filter(
    ({ s }) => `(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (call $log_num ${s("key")} (call $proxy_get_header_map_value (i32.const 0) (i32.const 0x7ffffff0) (i32.const 100) (i32.const 0x100) (i32.const 0x104)))
      (call $log_num ${s("out")} (call $proxy_get_header_map_value (i32.const 0) ${s(":path")} (i32.const 0x100) (i32.const -4)))
      (call $log_num ${s("size")} (call $proxy_get_header_map_size (i32.const 0) (i32.const 131070)))
      (call $log_num ${s("add")} (call $proxy_add_header_map_value (i32.const 0) ${s("k")} (i32.const 131000) (i32.const 1000)))
      (i32.const 0))`,
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" });
  assert.deepEqual(host.logs(), ["key=6", "out=6", "size=6", "add=6"]);
  assert.equal(http.request.headers.has("k"), false);
});

test("ABI 0.1.0: a missing header is Ok with an empty value", async () => {
  const wasm = await filter(
    (str) => `(func (export "proxy_on_request_headers") (param i32 i32) (result i32)
      ${getValue(str, REQ, "nope", "v")} (i32.const 0))`,
    { abi: "0.1.0" },
  );
  const host = await Host.load(wasm);
  host.newHttpContext().requestHeaders({ ":path": "/" });
  assert.deepEqual(host.logs(), ["v=0", "v.v="]);
});

test("single header values pass byte for byte, UTF-8 or not (get, add and replace, as Envoy)", async () => {
  // The filter copies x-in to x-copy with get + add, and writes Latin-1 "é" (one byte 0xe9)
  // into x-latin with replace.
  const wasm = await filter(
    (str) => `(func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (drop (call $proxy_get_header_map_value (i32.const 0) ${str.s("x-in")} (i32.const 0x100) (i32.const 0x104)))
      (drop (call $proxy_add_header_map_value (i32.const 0) ${str.s("x-copy")} (i32.load (i32.const 0x100)) (i32.load (i32.const 0x104))))
      (drop (call $proxy_replace_header_map_value (i32.const 0) ${str.s("x-latin")} ${str.s(new Uint8Array([0x63, 0x61, 0x66, 0xe9]))}))
      (i32.const 0))`,
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  const raw = Buffer.from([0x61, 0xff, 0xc3, 0xa9, 0xe6, 0x97]); // a, a lone 0xff, é, a cut 日
  http.requestHeaders([
    [":path", "/"],
    ["x-in", bytesToString(raw)],
  ]);
  assert.deepEqual(stringToBytes(http.request.headers.get("x-copy")!), raw);
  assert.deepEqual(
    stringToBytes(http.request.headers.get("x-latin")!),
    Buffer.from([0x63, 0x61, 0x66, 0xe9]),
  );
});
