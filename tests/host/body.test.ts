// Bodies and trailers: cpp-host `src/exports.cc` get_buffer_bytes / set_buffer_bytes, Envoy
// `context.cc` (Buffer::copyTo / copyFrom, decodeData / encodeData buffering, getMap for
// trailers added from the end_of_stream body callback).
import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host } from "../../src/host/index.js";
import { chunksOf, filter, hash, HASH_BODY, type Strings } from "./helpers.js";

function get({ s }: Strings, type: number, start: number, max: number, label: string): string {
  return `
    (i32.store (i32.const 0x100) (i32.const 99))
    (i32.store (i32.const 0x104) (i32.const 99))
    (call $log_num ${s(label)} (call $proxy_get_buffer_bytes (i32.const ${type}) (i32.const ${start}) (i32.const ${max}) (i32.const 0x100) (i32.const 0x104)))
    (call $log_num ${s(label + ".ptr0")} (i32.eqz (i32.load (i32.const 0x100))))
    (call $log_str ${s(label + ".v")})`;
}

function set(
  { s }: Strings,
  type: number,
  start: number,
  size: number,
  data: string,
  label: string,
): string {
  return `(call $log_num ${s(label)} (call $proxy_set_buffer_bytes (i32.const ${type}) (i32.const ${start}) (i32.const ${size}) ${s(data)}))`;
}

test("get_buffer_bytes clamps; empty or out-of-range reads are Ok with ptr 0, len 0", async () => {
  const wasm = await filter(
    (str) => `(func (export "proxy_on_request_body") (param i32 i32 i32) (result i32)
      ${get(str, 0, 0, 5, "head")}
      ${get(str, 0, 6, 100, "tail")}
      ${get(str, 0, 11, 5, "end")}
      ${get(str, 0, 500, 5, "past")}
      ${get(str, 0, 0, 0, "zero")}
      (call $log_num ${str.s("status")} (call $proxy_get_buffer_status (i32.const 0) (i32.const 0x108) (i32.const 0x10c)))
      (call $log_num ${str.s("status.len")} (i32.load (i32.const 0x108)))
      (call $log_num ${str.s("status.flags")} (i32.load (i32.const 0x10c)))
      (call $log_num ${str.s("bad_type")} (call $proxy_get_buffer_bytes (i32.const 9) (i32.const 0) (i32.const 1) (i32.const 0x100) (i32.const 0x104)))
      (call $log_num ${str.s("response_body")} (call $proxy_get_buffer_bytes (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 0x100) (i32.const 0x104)))
      (i32.const 0))
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      (call $log_num ${str.s("in_headers")} (call $proxy_get_buffer_bytes (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 0x100) (i32.const 0x104)))
      (i32.const 0))`,
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" });
  http.requestBody("hello world", { endOfStream: true });
  assert.deepEqual(host.logs(), [
    "in_headers=1", // no body yet: NotFound
    "head=0",
    "head.ptr0=0",
    "head.v=hello",
    "tail=0",
    "tail.ptr0=0",
    "tail.v=world",
    "end=0",
    "end.ptr0=1",
    "end.v=",
    "past=0",
    "past.ptr0=1",
    "past.v=",
    "zero=0",
    "zero.ptr0=1",
    "zero.v=",
    "status=0",
    "status.len=11",
    "status.flags=0",
    "bad_type=2",
    "response_body=1",
  ]);
});

test("set_buffer_bytes: start 0 drains `size` then prepends, start ≥ len appends, in between BadArgument", async () => {
  const cases: [number, number, string, string, number][] = [
    [0, 11, "bye", "bye", 0], // (0, len) replaces everything
    [0, 0, ">>", ">>hello world", 0], // prepend
    [0, 6, "hi ", "hi world", 0], // drain 6, prepend
    [11, 0, "!", "hello world!", 0], // append
    [500, 0, "!", "hello world!", 0], // past the end still appends
    [3, 0, "x", "hello world", 2], // 0 < start < len
  ];
  for (const [start, size, data, expected, result] of cases) {
    const wasm = await filter(
      (str) => `(func (export "proxy_on_request_body") (param i32 i32 i32) (result i32)
        ${set(str, 0, start, size, data, "set")} (i32.const 0))`,
    );
    const host = await Host.load(wasm);
    const http = host.newHttpContext();
    http.requestHeaders({ ":path": "/" });
    http.requestBody("hello world", { endOfStream: true });
    assert.deepEqual(host.logs(), [`set=${result}`], `start=${start} size=${size}`);
    assert.equal(http.request.text(), expected, `start=${start} size=${size}`);
  }
});

test("configuration buffers are immutable, unavailable buffers NotFound, bad types BadArgument", async () => {
  const wasm = await filter(
    (str) => `
    (func (export "proxy_on_configure") (param i32 i32) (result i32)
      ${set(str, 7, 0, 0, "x", "set_config")}
      ${set(str, 0, 0, 0, "x", "set_no_body")}
      ${set(str, 9, 0, 0, "x", "set_bad_type")}
      (i32.const 1))`,
  );
  const host = await Host.load(wasm, { pluginConfig: "cfg" });
  assert.deepEqual(host.logs(), ["set_config=2", "set_no_body=1", "set_bad_type=2"]);
});

test("StopIterationAndBuffer: the next call gets the total size and sees the whole body; Continue forwards it", async () => {
  const wasm = await filter(
    (
      str,
    ) => `(func (export "proxy_on_request_body") (param $c i32) (param $size i32) (param $eos i32) (result i32)
      (call $trace ${str.s("body")} (i32.const 2) (local.get $size) (local.get $eos) (i32.const 0))
      ${get(str, 0, 0, 1000, "all")}
      (if (result i32) (local.get $eos)
        (then ${set(str, 0, 1000, 0, "+end", "append")} (i32.const 0))
        (else (i32.const 1))))`,
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" });
  assert.equal(http.requestBody("abc"), Action.Pause);
  assert.equal(http.lastStatus?.status, "StopIterationAndBuffer");
  assert.equal(http.request.body.length, 0);
  assert.equal(http.request.pendingBody.toString(), "abc");
  assert.equal(http.requestBody("defg"), Action.Pause);
  assert.equal(http.requestBody("hi", { endOfStream: true }), Action.Continue);
  assert.equal(http.request.text(), "abcdefghi+end");
  assert.equal(http.request.ended, true);
  const logs = host.logs().filter((l) => !l.includes(".ptr0"));
  assert.deepEqual(logs, [
    "body(3,0)",
    "all=0",
    "all.v=abc",
    "body(7,0)",
    "all=0",
    "all.v=abcdefg",
    "body(9,1)",
    "all=0",
    "all.v=abcdefghi",
    "append=0",
  ]);
});

test("StopIterationAndWatermark holds the bytes without showing them to the next call", async () => {
  const wasm = await filter(
    (
      str,
    ) => `(func (export "proxy_on_request_body") (param $c i32) (param $size i32) (param $eos i32) (result i32)
      (call $trace ${str.s("body")} (i32.const 2) (local.get $size) (local.get $eos) (i32.const 0))
      (select (i32.const 0) (i32.const 2) (local.get $eos)))`,
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" });
  assert.equal(http.requestBody("abc"), Action.Pause);
  assert.equal(http.requestBody("de", { endOfStream: true }), Action.Continue);
  assert.deepEqual(host.logs(), ["body(3,0)", "body(2,1)"]);
  assert.equal(http.request.text(), "abcde");
});

test("body chunks that arrive while headers are stopped reach the filter once, together, after continue", async () => {
  const wasm = await filter(
    (str) => `
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 1))
    (func (export "proxy_on_request_body") (param $c i32) (param $size i32) (param $eos i32) (result i32)
      (call $trace ${str.s("body")} (i32.const 2) (local.get $size) (local.get $eos) (i32.const 0))
      (i32.const 0))
    (func (export "proxy_on_queue_ready") (param i32 i32)
      (drop (call $proxy_set_effective_context (i32.const 2)))
      (drop (call $proxy_continue_stream (i32.const 0))))
    (func (export "proxy_on_configure") (param i32 i32) (result i32)
      (drop (call $proxy_register_shared_queue ${str.s("q")} (i32.const 0x108))) (i32.const 1))`,
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  assert.equal(http.requestHeaders({ ":path": "/" }), Action.Pause);
  assert.equal(http.requestBody("ab"), Action.Pause);
  assert.equal(http.requestBody("cd", { endOfStream: true }), Action.Pause);
  assert.deepEqual(host.logs(), []); // StopAllIteration: no body callback yet
  host.enqueue(host.queue("q")!.id, "go");
  assert.deepEqual(host.logs(), ["body(4,1)"]);
  assert.equal(http.request.text(), "abcd");
  assert.equal(http.request.ended, true);
});

test("allow_on_headers_stop_iteration keeps 1 as StopIteration: body callbacks still run", async () => {
  const wasm = await filter(
    (str) => `
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 1))
    (func (export "proxy_on_request_body") (param $c i32) (param $size i32) (param $eos i32) (result i32)
      (call $trace ${str.s("body")} (i32.const 2) (local.get $size) (local.get $eos) (i32.const 0))
      (i32.const 0))`,
  );
  const host = await Host.load(wasm, { allowOnHeadersStopIteration: true });
  const http = host.newHttpContext();
  assert.equal(http.requestHeaders({ ":path": "/" }), Action.Pause);
  assert.equal(http.lastStatus?.status, "StopIteration");
  assert.equal(http.requestBody("xy", { endOfStream: true }), Action.Continue);
  assert.deepEqual(host.logs(), ["body(2,1)"]);
  assert.equal(http.request.headersForwarded, true); // headers go with the continued body
  assert.equal(http.request.text(), "xy");
});

test("trailers can be added from the end_of_stream body callback, not before", async () => {
  const wasm = await filter(
    ({ s }) => `
    (func (export "proxy_on_request_body") (param $c i32) (param $size i32) (param $eos i32) (result i32)
      (call $log_num ${s("add_req_trailer")} (call $proxy_add_header_map_value (i32.const 1) ${s("X-Checksum")} ${s("abc")}))
      (i32.const 0))
    (func (export "proxy_on_response_body") (param $c i32) (param $size i32) (param $eos i32) (result i32)
      (call $log_num ${s("add_res_trailer")} (call $proxy_replace_header_map_value (i32.const 3) ${s("grpc-status")} ${s("0")}))
      (i32.const 0))`,
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  const seen: string[] = [];
  http.requestHeaders({ ":path": "/" });
  http.requestBody("part");
  http.requestBody("end", { endOfStream: true });
  http.responseHeaders({ ":status": "200" });
  http.responseBody("r", { endOfStream: true });
  seen.push(...host.logs());
  assert.deepEqual(seen, ["add_req_trailer=2", "add_req_trailer=0", "add_res_trailer=0"]);
  assert.deepEqual(http.request.trailers.entries(), [["x-checksum", "abc"]]);
  assert.equal(http.request.trailersForwarded, true);
  assert.equal(http.response.trailers.get("grpc-status"), "0");
});

test("request trailers: on_request_trailers sees them; Stop holds them until continue", async () => {
  const wasm = await filter(
    (str) => `
    (func (export "proxy_on_request_trailers") (param $c i32) (param $n i32) (result i32)
      (call $trace ${str.s("trailers")} (i32.const 1) (local.get $n) (i32.const 0) (i32.const 0))
      (call $log_num ${str.s("rm")} (call $proxy_remove_header_map_value (i32.const 1) ${str.s("drop-me")}))
      (i32.const 1))
    (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
      (drop (call $proxy_set_effective_context (i32.const 2)))
      (call $log_num ${str.s("cont")} (call $proxy_continue_stream (i32.const 0)))
      (i32.const 0))`,
  );
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" });
  http.requestBody("b");
  assert.equal(http.requestTrailers({ "drop-me": "1", keep: "2" }), Action.Pause);
  assert.equal(http.request.trailersForwarded, false);
  http.responseHeaders({ ":status": "200" });
  assert.equal(http.request.trailersForwarded, true);
  assert.deepEqual(http.request.trailers.entries(), [["keep", "2"]]);
  assert.deepEqual(host.logs(), ["trailers(2)", "rm=0", "cont=0"]);
});

test("buffering past Envoy's buffer limit gets Envoy's 413 (request) local reply", async () => {
  const wasm = await filter(
    `(func (export "proxy_on_request_body") (param i32 i32 i32) (result i32) (i32.const 1))`,
  );
  const host = await Host.load(wasm, { bufferLimit: 8 });
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" });
  http.requestBody("12345678");
  assert.equal(http.sentLocalResponse?.status, undefined, "8 bytes fit the limit");
  http.requestBody("9");
  assert.equal(http.sentLocalResponse?.status, 413);
  assert.equal(http.sentLocalResponse?.details, "request_payload_too_large");
  assert.equal(http.response.headers.get(":status"), "413");
});

// ---- buffered bodies over many chunks -------------------------------------------------------
// Envoy's buffering modelled in JS, checked call by call against what the filter sees (size and a
// hash of proxy_get_buffer_bytes(0, all)), what is held (pendingBody) and what is forwarded.

/** call i: Continue every 7th, NoBuffer every 11th, Watermark every 3rd, else Buffer. */
const MIXED_RULE = `
  (if (result i32) (i32.eq (i32.rem_u (local.get $i) (i32.const 7)) (i32.const 6)) (then (i32.const 0))
    (else (if (result i32) (i32.eq (i32.rem_u (local.get $i) (i32.const 11)) (i32.const 10)) (then (i32.const 3))
      (else (if (result i32) (i32.eq (i32.rem_u (local.get $i) (i32.const 3)) (i32.const 2)) (then (i32.const 2))
        (else (i32.const 1)))))))`;
const mixedRule = (i: number) => (i % 7 === 6 ? 0 : i % 11 === 10 ? 3 : i % 3 === 2 ? 2 : 1);

/** Envoy's decodeData buffering for one direction (what HttpContext.deliverData reproduces). */
class BodyModel {
  held = Buffer.alloc(0);
  buffering = false;
  readonly forwarded: Buffer[] = [];
  constructor(private readonly mark: boolean) {}

  /** Returns the [size, hash] the filter should log. */
  call(chunk: Buffer, eos: boolean, status: number): [number, number] {
    let current: Buffer | null = null;
    if (this.buffering) this.held = Buffer.concat([this.held, chunk]);
    else current = chunk;
    const seen = current ?? this.held;
    const logged: [number, number] = [seen.length, hash(seen)];
    if (this.mark) {
      if (current) current = Buffer.concat([current, Buffer.from("|")]);
      else this.held = Buffer.concat([this.held, Buffer.from("|")]);
    }
    this.buffering = false;
    if (status === 0) {
      const out = Buffer.concat([this.held, current ?? Buffer.alloc(0)]);
      this.held = Buffer.alloc(0);
      if (out.length > 0 || eos) this.forwarded.push(out);
    } else if (status === 1 || status === 2) {
      this.held = Buffer.concat([this.held, current ?? Buffer.alloc(0)]);
      this.buffering = status === 1;
    }
    return logged;
  }
}

async function runBufferedBody(rule: string, ruleOf: (i: number) => number, mark: boolean) {
  const wasm = await filter(({ s }) => HASH_BODY(s, "proxy_on_request_body", 0, rule, mark));
  const host = await Host.load(wasm);
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" });
  const chunks = chunksOf(0x5eed, 300, 700);
  const model = new BodyModel(mark);
  // Every chunk is passed in the same reused array, overwritten after each call: whatever the
  // stream holds on to must be its own copy.
  const scratch = new Uint8Array(1024);
  for (const [i, chunk] of chunks.entries()) {
    const eos = i === chunks.length - 1;
    scratch.set(chunk);
    const action = http.requestBody(scratch.subarray(0, chunk.length), { endOfStream: eos });
    scratch.fill(0xee);
    const status = eos ? 0 : ruleOf(i);
    const [size, h] = model.call(chunk, eos, status);
    assert.equal(action, status === 0 ? Action.Continue : Action.Pause, `call ${i}`);
    assert.deepEqual(host.logs().slice(-2), [`size=${size}`, `h=${h}`], `call ${i}`);
    assert.ok(http.request.pendingBody.equals(model.held), `held after call ${i}`);
  }
  assert.equal(http.request.ended, true);
  assert.deepEqual(
    http.request.bodyChunks.map((b) => b.toString("hex")),
    model.forwarded.map((b) => b.toString("hex")),
  );
  return { http, model, chunks };
}

test("StopIterationAndBuffer over 300 chunks: every call sees the whole body so far; it is forwarded byte for byte", async () => {
  const { http, chunks } = await runBufferedBody("(i32.const 1)", () => 1, false);
  assert.equal(http.request.bodyChunks.length, 1, "one chunk once the filter continues");
  assert.ok(http.request.body.equals(Buffer.concat(chunks)));
});

test("Buffer, Watermark, NoBuffer and Continue mixed over 300 chunks match Envoy's buffering", async () => {
  const { model } = await runBufferedBody(MIXED_RULE, mixedRule, false);
  assert.ok(model.forwarded.length > 10, "the rule continues many times");
});

test("proxy_set_buffer_bytes on a buffered body, on every one of 300 chunks, keeps each change", async () => {
  const { http, chunks } = await runBufferedBody("(i32.const 1)", () => 1, true);
  assert.ok(http.request.body.equals(Buffer.concat(chunks.flatMap((c) => [c, Buffer.from("|")]))));
  await runBufferedBody(MIXED_RULE, mixedRule, true);
});

test("the buffer limit counts every buffered chunk: 413 at the first byte past it, not before", async () => {
  const wasm = await filter(
    `(func (export "proxy_on_request_body") (param i32 i32 i32) (result i32) (i32.const 1))`,
  );
  // 7-byte chunks against a limit of 700: the 100th chunk reaches it, the 101st passes it.
  const host = await Host.load(wasm, { bufferLimit: 700 });
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" });
  for (let i = 0; i < 100; i++) assert.equal(http.requestBody("abcdefg"), Action.Pause);
  assert.equal(http.sentLocalResponse?.status, undefined, "700 bytes fit");
  assert.equal(http.request.pendingBody.toString(), "abcdefg".repeat(100));
  http.requestBody("abcdefg");
  assert.equal(http.sentLocalResponse?.status, 413);
  assert.equal(http.sentLocalResponse?.details, "request_payload_too_large");
  assert.equal(http.state, "localReply");
  assert.equal(http.request.body.length, 0, "nothing was forwarded");
});

test("a body held with StopIterationAndWatermark pauses the sender past the limit (Envoy streams it: no 413/500)", async () => {
  // Holds every body chunk until the end of stream, then lets the whole body through.
  const wasm = await filter(
    `(func (export "proxy_on_request_body") (param i32 i32 i32) (result i32)
       (select (i32.const 0) (i32.const 2) (local.get 2)))
     (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32)
       (select (i32.const 0) (i32.const 2) (local.get 2)))`,
  );
  const host = await Host.load(wasm, { bufferLimit: 95 });
  const marks: string[] = [];
  const http = host.newHttpContext({ onWatermark: (d, above) => marks.push(`${d}:${above}`) });
  http.requestHeaders({ ":path": "/", ":method": "POST" });
  for (let i = 0; i < 9; i++) http.requestBody("0123456789");
  assert.deepEqual(marks, [], "90 bytes fit");
  http.requestBody("0123456789");
  assert.deepEqual(marks, ["request:true"], "past 95 bytes the client should pause");
  http.requestBody("0123456789");
  assert.deepEqual(marks, ["request:true"], "told once");
  assert.equal(http.sentLocalResponse, null, "no 413: the filter streams");
  http.requestBody("end", { endOfStream: true });
  assert.deepEqual(marks, ["request:true", "request:false"], "resumed once the body went on");
  assert.equal(http.request.text().length, 113);

  http.responseHeaders({ ":status": "200" });
  for (let i = 0; i < 10; i++) http.responseBody("0123456789");
  assert.deepEqual(marks.slice(2), ["response:true"]);
  assert.equal(http.sentLocalResponse, null, "no 500 either");
  http.responseBody("", { endOfStream: true });
  assert.deepEqual(marks.slice(2), ["response:true", "response:false"]);
  assert.equal(http.response.text().length, 100);
});

test("a body held with StopIterationAndBuffer past the limit gets 413 (request) / 500 (response)", async () => {
  const wasm = await filter(
    `(func (export "proxy_on_response_body") (param i32 i32 i32) (result i32) (i32.const 1))`,
  );
  const host = await Host.load(wasm, { bufferLimit: 95 });
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" }, { endOfStream: true });
  http.responseHeaders({ ":status": "200" });
  for (let i = 0; i < 9; i++) http.responseBody("0123456789");
  const sent = () => http.sentLocalResponse; // read afresh: responseBody changes it
  assert.equal(sent(), null, "90 bytes fit");
  http.responseBody("0123456789");
  assert.equal(sent()?.status, 500);
  assert.equal(sent()?.details, "response_payload_too_large");
});
