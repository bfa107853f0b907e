// A module may leave out any proxy_on_* callback but the allocator (the lean shape, docs/abi.md
// §2), and the host then behaves as Envoy (proxy-wasm-cpp-host) does: a missing stream callback
// counts as Continue, a missing vm_start / configure / done as true, and a missing tick, queue,
// callout, log or delete callback is simply not called. A failed VM still fails the stream first,
// whether the callback is there or not. Checked with hand-written modules that export only what
// each case needs, and with an SDK filter that overrides nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Action, Host } from "proxy-wasm-as/host";
import { hostcalls, SDK_ABI_VERSION } from "../../scripts/abi.mjs";
import { soak } from "../../scripts/soak.ts";
import { compileWat } from "../host/helpers.ts";

/** WAT imports of the named hostcalls, with the ABI table's signatures. */
function imports(names: string[]): string {
  const table = hostcalls(SDK_ABI_VERSION);
  return names
    .map((name) => {
      const { params, results } = table[name];
      const p = params.length ? ` (param ${params.map((x) => x.type).join(" ")})` : "";
      const r = results.length ? ` (result ${results.join(" ")})` : "";
      return `(import "env" "${name}" (func $${name}${p}${r}))`;
    })
    .join("\n");
}

/** Header pairs in the ABI's format (docs/abi.md §4). */
function pairs(entries: [string, string][]): Buffer {
  const head = Buffer.alloc(4 + entries.length * 8);
  head.writeUInt32LE(entries.length, 0);
  const tail: Buffer[] = [];
  entries.forEach(([k, v], i) => {
    head.writeUInt32LE(Buffer.byteLength(k), 4 + i * 8);
    head.writeUInt32LE(Buffer.byteLength(v), 8 + i * 8);
    tail.push(Buffer.from(`${k}\0${v}\0`));
  });
  return Buffer.concat([head, ...tail]);
}

/** Lays out byte strings from 0x1000 on; `at(i)` is "(i32.const ptr) (i32.const len)". */
function dataSegments(values: Buffer[]): { data: string; at: (i: number) => string } {
  let next = 0x1000;
  const places: [number, number][] = [];
  const data = values
    .map((v) => {
      places.push([next, v.length]);
      const text = [...v].map((b) => `\\${b.toString(16).padStart(2, "0")}`).join("");
      const segment = `(data (i32.const ${next}) "${text}")`;
      next += v.length + 8;
      return segment;
    })
    .join("\n");
  return { data, at: (i) => `(i32.const ${places[i][0]}) (i32.const ${places[i][1]})` };
}

/** A module with only the ABI marker, `_initialize`, memory, the allocator and `body`. */
function module(body: string, importNames: string[] = [], data = ""): Promise<Uint8Array> {
  return compileWat(`(module
    ${imports(importNames)}
    (memory (export "memory") 1)
    (global $heap (mut i32) (i32.const 0x8000))
    (func (export "_initialize"))
    (func (export "proxy_abi_version_0_2_1"))
    (func (export "proxy_on_memory_allocate") (param $n i32) (result i32)
      (local $p i32)
      (local.set $p (global.get $heap))
      (global.set $heap (i32.add (local.get $p) (i32.and (i32.add (local.get $n) (i32.const 7)) (i32.const -8))))
      (local.get $p))
    ${body}
    ${data})`);
}

test("a module with no callback but the allocator starts, and every stream callback counts as Continue", async () => {
  const host = await Host.load(await module(""), { rootId: "lean", traceCalls: true });
  assert.equal(host.plugin.state, "active", "no vm_start / configure: the start succeeds");

  const http = host.newHttpContext();
  assert.equal(
    http.requestHeaders({ ":method": "POST", ":path": "/", ":authority": "a" }),
    Action.Continue,
  );
  assert.equal(http.request.headersForwarded, true);
  assert.equal(http.requestBody("one,"), Action.Continue);
  assert.equal(http.requestBody("two"), Action.Continue);
  assert.equal(http.requestTrailers({ "x-sum": "1" }), Action.Continue);
  assert.equal(http.request.text(), "one,two");
  assert.equal(http.request.trailers.get("x-sum"), "1");
  assert.equal(http.responseHeaders({ ":status": "200" }), Action.Continue);
  assert.equal(http.responseBody("ok"), Action.Continue);
  assert.equal(http.responseTrailers({ "grpc-status": "0" }), Action.Continue);
  assert.equal(http.response.text(), "ok");
  assert.equal(http.response.ended, true);
  http.complete();
  assert.equal(http.state, "completed");

  const seen: string[] = [];
  const tcp = host.newTcpContext({
    onDownstreamData: (d) => void seen.push(`down:${d}`),
    onUpstreamData: (d) => void seen.push(`up:${d}`),
  });
  assert.equal(tcp.newConnectionAction, Action.Continue);
  assert.equal(tcp.downstreamData("ping"), Action.Continue);
  assert.equal(tcp.upstreamData("pong"), Action.Continue);
  tcp.closeUpstream();
  tcp.closeDownstream(); // both sides closed: the connection is done
  assert.equal(tcp.state, "completed");
  assert.deepEqual(seen, ["down:ping", "up:pong"]);

  host.shutdown();
  assert.equal(host.plugin.state, "deleted", "no proxy_on_done: the root is done at once");
  assert.deepEqual(host.callTrace, [], "the host never called into the module");
  assert.equal(host.vm.failed, false);
});

test("missing tick, queue and callout callbacks are not called; the timer, queue and calls go on", async () => {
  const strings = dataSegments([
    Buffer.from("ticks"),
    Buffer.from("upstream"),
    pairs([
      [":method", "GET"],
      [":path", "/"],
      [":authority", "upstream"],
    ]),
    pairs([]),
    Buffer.from("grpc.Service"),
    Buffer.from("Call"),
  ]);
  const wasm = await module(
    `(func (export "proxy_on_configure") (param i32 i32) (result i32)
      (drop (call $proxy_set_tick_period_milliseconds (i32.const 10)))
      (drop (call $proxy_register_shared_queue ${strings.at(0)} (i32.const 0x100)))
      (drop (call $proxy_http_call ${strings.at(1)} ${strings.at(2)} (i32.const 0) (i32.const 0)
        ${strings.at(3)} (i32.const 5000) (i32.const 0x104)))
      (drop (call $proxy_grpc_call ${strings.at(1)} ${strings.at(4)} ${strings.at(5)} ${strings.at(3)}
        (i32.const 0) (i32.const 0) (i32.const 5000) (i32.const 0x108)))
      (drop (call $proxy_grpc_stream ${strings.at(1)} ${strings.at(4)} ${strings.at(5)} ${strings.at(3)}
        (i32.const 0x10c)))
      (i32.const 1))`,
    [
      "proxy_set_tick_period_milliseconds",
      "proxy_register_shared_queue",
      "proxy_http_call",
      "proxy_grpc_call",
      "proxy_grpc_stream",
    ],
    strings.data,
  );
  const host = await Host.load(wasm, { rootId: "lean", traceCalls: true });
  assert.deepEqual(host.callTrace, ["proxy_on_configure(1,0)"]);
  assert.equal(host.callouts.length, 1, "the http call was made");
  assert.equal(host.grpcCalls.length, 2, "the gRPC call and stream were made");

  assert.ok(host.tick(100) >= 1, "the timer still fires");
  const memory = host.vm.exports.memory as WebAssembly.Memory;
  const queueId = new DataView(memory.buffer).getUint32(0x100, true);
  assert.equal(host.enqueue(queueId, "item"), 0);
  host.pump();
  host.respondToCallout(host.callouts[0], { status: 200, body: "reply" });
  const [call, stream] = host.grpcCalls;
  host.respondToGrpcCall(call, "reply");
  host.grpcStreamInitialMetadata(stream, { "x-md": "1" });
  host.grpcStreamMessage(stream, "message");
  host.grpcStreamTrailingMetadata(stream, { "grpc-status": "0" });
  host.closeGrpcCall(stream, 0);

  assert.deepEqual(host.callTrace, ["proxy_on_configure(1,0)"], "nothing else was called");
  assert.equal(host.callouts.length + host.grpcCalls.length, 0, "the calls are answered");
  assert.equal(host.vm.failed, false);
  assert.deepEqual(host.logs("error"), []);
});

test("a failed VM fails a stream even where the callback is missing (Envoy checks the VM first)", async () => {
  const wasm = await module(
    `(func (export "proxy_on_request_body") (param i32 i32 i32) (result i32) unreachable)`,
  );
  const host = await Host.load(wasm, { rootId: "lean", logLevel: "critical" });
  const first = host.newHttpContext();
  assert.equal(
    first.requestHeaders({ ":method": "POST", ":path": "/", ":authority": "a" }),
    Action.Continue,
  );
  assert.equal(first.requestBody("x", { endOfStream: true }), Action.Pause);
  assert.equal(first.sentLocalResponse?.status, 503);
  assert.equal(host.vm.failed, true);

  const second = host.newHttpContext();
  assert.equal(
    second.requestHeaders({ ":method": "GET", ":path": "/", ":authority": "a" }),
    Action.Pause,
  );
  assert.equal(second.sentLocalResponse?.status, 503);
  assert.equal(host.newTcpContext().newConnectionAction, Action.Pause, "a connection is closed");

  const open = await Host.load(wasm, { rootId: "lean", logLevel: "critical", failOpen: true });
  const stream = open.newHttpContext();
  stream.requestHeaders({ ":method": "POST", ":path": "/", ":authority": "a" });
  stream.requestBody("x", { endOfStream: true });
  const after = open.newHttpContext();
  assert.equal(
    after.requestHeaders({ ":method": "GET", ":path": "/", ":authority": "a" }),
    Action.Continue,
  );
  assert.equal(after.sentLocalResponse, null, "fail-open lets it through");
});

const NOTHING = [
  join("tests", "filters", "build", "overrides_nothing.wasm"),
  join("build", "as0.28", "test-overrides_nothing.wasm"),
];

for (const file of NOTHING) {
  test(`${file}: an SDK filter that overrides nothing exports only what the SDK needs and passes traffic`, async (t) => {
    if (!existsSync(file)) {
      if (file.includes("as0.28")) return t.skip("not built (build with --also-0.28)");
      assert.fail(`${file} is missing: run node scripts/build-examples.mjs tests`);
    }
    const callbacks = WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(file)))
      .map((e) => e.name)
      .filter((name) => name.startsWith("proxy_on_") || name === "proxy_validate_configuration")
      .sort();
    assert.deepEqual(callbacks, [
      "proxy_on_context_create",
      "proxy_on_delete",
      "proxy_on_memory_allocate",
    ]);

    const host = await Host.load(file, { rootId: "nothing", traceCalls: true });
    const http = host.newHttpContext();
    assert.equal(
      http.requestHeaders({ ":method": "POST", ":path": "/", ":authority": "a" }),
      Action.Continue,
    );
    assert.equal(http.requestBody("body", { endOfStream: true }), Action.Continue);
    assert.equal(
      http.responseHeaders({ ":status": "204" }, { endOfStream: true }),
      Action.Continue,
    );
    assert.equal(http.request.text(), "body");
    http.complete();
    const tcp = host.newTcpContext();
    assert.equal(tcp.newConnectionAction, Action.Continue);
    assert.equal(tcp.downstreamData("ping"), Action.Continue);
    tcp.complete();
    // The root, then per stream only create and delete.
    const perStream = ["proxy_on_context_create", "proxy_on_delete"];
    assert.deepEqual(
      host.callTrace.map((c) => c.replace(/\(.*/, "")),
      ["proxy_on_context_create", ...perStream, ...perStream],
    );
    assert.deepEqual(host.logs("error"), []);
  });
}

test("an SDK filter that overrides nothing forgets every context (500 requests, 500 connections)", async (t) => {
  const file = NOTHING[0];
  if (!existsSync(file)) return t.skip(`${file} is not built`);
  for (const tcp of [false, true]) {
    const result = await soak(
      { name: "overrides_nothing", wasm: file, plugins: [{ rootId: "nothing" }], tcp },
      500,
    );
    assert.deepEqual(result.problems, [], tcp ? "connections" : "requests");
    assert.equal(result.samples.at(-1)!.sdkContexts, 1);
  }
});
