// The log store keeps the newest `maxLogEntries` lines, oldest first. It is a ring, so these tests
// compare it with the plain array it replaced (push, then drop the oldest with splice) and pin
// the order after the ring wraps, the dropped lines, level filtering and odd limits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, type LogEntry } from "../../src/host/index.js";
import { LogStore } from "../../src/host/logs.js";
import { filter } from "./helpers.js";

/** The store as it was before the ring: the reference behaviour. */
class ArrayStore {
  readonly entries: LogEntry[] = [];
  constructor(private readonly limit: number) {}
  add(e: LogEntry): void {
    this.entries.push(e);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
  }
}

function entry(i: number, level = i % 6): LogEntry {
  return { level, message: `m${i}`, source: "plugin", pluginName: "", rootId: "", vmId: "" };
}

const LEVELS = ["trace", "debug", "info", "warn", "error", "critical"] as const;

function assertSame(store: LogStore, ref: ArrayStore, what: string): void {
  assert.deepEqual(store.entries, ref.entries, `${what}: entries`);
  assert.equal(store.length, ref.entries.length, `${what}: length`);
  assert.deepEqual(
    store.messages(),
    ref.entries.map((e) => e.message),
    `${what}: messages()`,
  );
  for (const [l, name] of LEVELS.entries()) {
    const want = ref.entries.filter((e) => e.level === l).map((e) => e.message);
    assert.deepEqual(store.messages(name), want, `${what}: messages(${name})`);
    assert.deepEqual(store.messages(l), want, `${what}: messages(${l})`);
  }
}

test("the ring keeps the newest entries in order after wrapping, exactly as the array did", () => {
  for (const limit of [0, 1, 2, 3, 7, 10, 2.5, 0.5, -1, -0.5, Infinity, NaN, -Infinity]) {
    const store = new LogStore(undefined, false, limit);
    const ref = new ArrayStore(limit);
    // Checked at every step of the first wraps, then after several more wraps.
    for (let i = 0; i < 40; i++) {
      store.add(entry(i));
      ref.add(entry(i));
      assertSame(store, ref, `limit ${limit} after ${i + 1}`);
    }
    for (let i = 40; i < 1000; i++) {
      store.add(entry(i));
      ref.add(entry(i));
    }
    assertSame(store, ref, `limit ${limit} after 1000`);
  }
});

test("dropped entries are the oldest; the sink still hears every line; entries is a copy", () => {
  const heard: string[] = [];
  const store = new LogStore((e) => heard.push(e.message), false, 3);
  for (let i = 0; i < 8; i++) store.add(entry(i));
  assert.deepEqual(store.messages(), ["m5", "m6", "m7"]);
  assert.equal(store.length, 3);
  assert.equal(heard.length, 8);
  const copy = store.entries;
  copy.length = 0;
  assert.deepEqual(store.messages(), ["m5", "m6", "m7"]);
  store.add(entry(8));
  assert.deepEqual(
    store.entries.map((e) => e.message),
    ["m6", "m7", "m8"],
  );
});

test("unknown level names still throw", () => {
  const store = new LogStore(undefined, false, 2);
  assert.throws(() => store.messages("loud" as never), /unknown log level "loud"/);
});

// Logs `size` lines per body call, "n=<k>" at level k % 5, k counting across calls.
const MANY_LINES = `
  (global $k (mut i32) (i32.const 0))
  (func $log_at (param $level i32) (param $n i32)
    (local $d i32)
    (i32.store8 (i32.const 0x400) (i32.const 110))
    (i32.store8 (i32.const 0x401) (i32.const 61))
    (local.set $d (call $itoa64 (i64.extend_i32_u (local.get $n))))
    (memory.copy (i32.const 0x402) (i32.const 0x200) (local.get $d))
    (drop (call $proxy_log (local.get $level) (i32.const 0x400) (i32.add (i32.const 2) (local.get $d)))))
  (func (export "proxy_on_request_body") (param $c i32) (param $size i32) (param $eos i32) (result i32)
    (local $i i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $size)))
        (call $log_at (i32.rem_u (global.get $k) (i32.const 5)) (global.get $k))
        (global.set $k (i32.add (global.get $k) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.const 0))`;

test("host.logs / logEntries keep the newest maxLogEntries lines, oldest first, across wraps", async () => {
  const heard: string[] = [];
  const host = await Host.load(await filter(MANY_LINES), {
    maxLogEntries: 7,
    onLog: (e) => heard.push(e.message),
  });
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" });
  const expect = (from: number, to: number, level?: number) => {
    const out: string[] = [];
    for (let k = from; k < to; k++) if (level === undefined || k % 5 === level) out.push(`n=${k}`);
    return out;
  };
  http.requestBody("x".repeat(5));
  assert.deepEqual(host.logs(), expect(0, 5), "not full yet");
  http.requestBody("x".repeat(18));
  assert.deepEqual(host.logs(), expect(16, 23), "wrapped twice");
  http.requestBody("x".repeat(3));
  assert.deepEqual(host.logs(), expect(19, 26), "the ring's start moved");
  for (const [l, name] of LEVELS.entries()) {
    assert.deepEqual(host.logs(name), expect(19, 26, l), name);
    assert.deepEqual(host.logs(l), expect(19, 26, l), String(l));
  }
  assert.deepEqual(
    host.logEntries.map((e) => [e.level, e.message, e.source]),
    expect(19, 26).map((m) => [Number(m.slice(2)) % 5, m, "plugin"]),
  );
  assert.equal(heard.length, 26, "onLog hears the dropped lines too");
});

test("StartError.logs still holds the lines of the failed start", async () => {
  const wasm = await filter(
    ({ s }) => `(func (export "proxy_on_configure") (param i32 i32) (result i32)
      (drop (call $proxy_log (i32.const 4) ${s("one")}))
      (drop (call $proxy_log (i32.const 4) ${s("two")}))
      (i32.const 0))`,
  );
  const err = await Host.load(wasm, { maxLogEntries: 5 }).catch((e: unknown) => e);
  assert.ok(err instanceof Error && "logs" in err);
  assert.deepEqual(err.logs, ["[error] wasm log: one", "[error] wasm log: two"]);
});
