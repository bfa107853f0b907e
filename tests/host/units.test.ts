// The emulator's building blocks on their own: the binary reader, the pairs format
// (cpp-host `src/pairs_util.cc`), header maps (Envoy HeaderMapImpl) and property encoding
// (Envoy `context.cc` serializeValue).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readModuleInfo, formatSignature } from "../../src/host/binary.js";
import {
  HeaderMap,
  TypedValue,
  decodePairs,
  encodePairs,
  encodeProperty,
  Host,
} from "../../src/host/index.js";
import { compileWat, filter } from "./helpers.js";

test("the binary reader resolves import and export function types, across imported functions", async () => {
  const wasm = await compileWat(`(module
    (import "env" "a" (func (param i32 i64) (result i32)))
    (import "env" "mem" (memory 1))
    (import "env" "b" (func))
    (func (export "f") (param f64) (result i32) (i32.const 0))
    (func (export "g"))
    (export "memory" (memory 0))
    (export "b_again" (func 1)))`);
  const info = readModuleInfo(wasm);
  assert.deepEqual(
    info.imports.map(
      (i) => `${i.module}.${i.name}:${i.kind}:${i.type ? formatSignature(i.type) : "-"}`,
    ),
    ["env.a:func:(i32,i64)->i32", "env.mem:memory:-", "env.b:func:()->()"],
  );
  assert.deepEqual(
    info.exports.map((e) => `${e.name}:${e.kind}:${e.type ? formatSignature(e.type) : "-"}`),
    ["f:func:(f64)->i32", "g:func:()->()", "memory:memory:-", "b_again:func:()->()"],
  );
});

test("pairs: layout, lengths, round trip, and the empty map", () => {
  const bytes = encodePairs([
    ["a", "1"],
    ["bc", ""],
  ]);
  // u32 N, (u32 klen, u32 vlen)×N, then key\0value\0 each
  assert.equal(
    bytes.toString("hex"),
    "02000000" + "0100000001000000" + "0200000000000000" + "610031" + "00" + "626300" + "00",
  );
  assert.equal(bytes.length, 4 + (8 + 1 + 1 + 1 + 1) + (8 + 2 + 1 + 0 + 1));
  assert.deepEqual(decodePairs(bytes), [
    ["a", "1"],
    ["bc", ""],
  ]);
  assert.equal(encodePairs([]).length, 0);
  const truncated = bytes.subarray(0, bytes.length - 1);
  assert.deepEqual(decodePairs(truncated), []);
  const lying = Buffer.from(bytes);
  lying.writeUInt32LE(3, 0); // claims one more pair than present
  assert.deepEqual(decodePairs(lying), []);
});

test("HeaderMap: lower-cased keys, add/set/remove/get, byteSize, toObject joins repeats", () => {
  const m = new HeaderMap({ "Set-Cookie": ["a=1", "b=2"], Host: "x" });
  m.add("X-A", "1");
  m.set("set-cookie", "c=3");
  assert.deepEqual(m.entries(), [
    ["set-cookie", "c=3"],
    ["set-cookie", "b=2"],
    ["host", "x"],
    ["x-a", "1"],
  ]);
  assert.equal(m.get("SET-COOKIE"), "c=3");
  assert.deepEqual(m.getAll("set-cookie"), ["c=3", "b=2"]);
  assert.equal(m.byteSize(), "set-cookie".length * 2 + 6 + 4 + 1 + 3 + 1);
  assert.deepEqual(m.toObject(), { "set-cookie": "c=3,b=2", host: "x", "x-a": "1" });
  assert.deepEqual(
    [...m].map(([k]) => k),
    ["set-cookie", "set-cookie", "host", "x-a"],
  );
  m.remove("Set-Cookie");
  assert.equal(m.has("set-cookie"), false);
  assert.equal(m.size, 2);
});

test("property encoding: timestamps and durations as int64 nanoseconds, nested maps in pairs", () => {
  assert.equal(encodeProperty(new Date(1)).readBigInt64LE(), 1000000n);
  assert.equal(encodeProperty(TypedValue.durationNanos(5n)).readBigInt64LE(), 5n);
  assert.equal(encodeProperty(TypedValue.int64(-2)).readBigInt64LE(), -2n);
  assert.equal(encodeProperty(TypedValue.double(2)).readDoubleLE(), 2);
  assert.equal(encodeProperty(false).toString("hex"), "00");
  const nested = encodeProperty({ a: { b: "c" } });
  const [[k, v]] = decodePairs(nested);
  assert.equal(k, "a");
  assert.deepEqual(decodePairs(Buffer.from(v, "utf8")), [["b", "c"]]);
});

test("a code start section runs at instantiation, where only start-up hostcalls are allowed", async () => {
  // The instance (and so its exported memory) does not exist yet: the hostcall gets
  // InvalidMemoryAccess instead of reading memory.
  const ok = await filter(
    ({ s }) => `(global $r (mut i32) (i32.const -1))
      (func $boot (global.set $r (call $proxy_log (i32.const 2) ${s("start section")})))
      (start $boot)
      (func (export "proxy_on_vm_start") (param i32 i32) (result i32)
        (call $log_num ${s("log in start section")} (global.get $r)) (i32.const 1))`,
  );
  const host = await Host.load(ok);
  assert.deepEqual(host.logs(), ["log in start section=6"]);
  const bad = await filter(`(func $boot (drop (call $proxy_done))) (start $boot)`);
  await assert.rejects(Host.load(bad), /restricted_callback/);
});

test("ABI 0.1.0 proxy_continue_request resumes a stopped request", async () => {
  const wasm = await filter(
    ({ s }) => `
    (func (export "proxy_on_request_headers") (param i32 i32) (result i32) (i32.const 1))
    (func (export "proxy_on_configure") (param i32 i32) (result i32)
      (drop (call $proxy_set_tick_period_milliseconds (i32.const 1))) (i32.const 1))
    (func (export "proxy_on_tick") (param i32)
      (drop (call $proxy_set_effective_context (i32.const 2)))
      (call $log_num ${s("continue")} (call $proxy_continue_request))
      (call $log_num ${s("clear_route_cache")} (call $proxy_clear_route_cache)))`,
    { abi: "0.1.0" },
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" }, { endOfStream: true });
  assert.equal(http.request.headersForwarded, false);
  host.tick(1);
  assert.equal(http.request.headersForwarded, true);
  assert.deepEqual(host.logs(), ["continue=0", "clear_route_cache=0"]);
});
