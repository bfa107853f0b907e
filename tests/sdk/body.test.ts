// Buffer wrappers on HTTP bodies (get / getString / length / replace / prepend / append /
// setBytes), through tests/filters/body.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, Action } from "proxy-wasm-as/host";
import { filterWasm, mark, reports } from "./helpers.ts";

const wasm = filterWasm("body");

async function stream(testCase: string) {
  const host = await Host.load(wasm, { rootId: "body" });
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/", "x-case": testCase });
  return { host, http, from: mark(host) };
}

test("get / getString / length, slices clamped by the host", async () => {
  const { host, http, from } = await stream("read");
  assert.equal(http.requestBody("hello world", { endOfStream: true }), Action.Continue);
  const r = reports(host, from);
  assert.equal(r["chunk1.size"], "11");
  assert.equal(r["chunk1.eos"], "true");
  assert.equal(r["getString"], "[hello world]");
  assert.equal(r["get.hex"], Buffer.from("hello world").toString("hex"));
  assert.equal(r["length"], "11");
  assert.equal(r["slice"], "[llo]");
  assert.equal(r["past.end"], "[]");
  assert.equal(r["clamped"], "[o world]");
  assert.equal(r["own.buffer"], "[hello]");
  assert.equal(http.request.text(), "hello world");
});

test("UTF-8 bodies are decoded and encoded as UTF-8", async () => {
  const { host, http, from } = await stream("utf8");
  http.requestBody("naïve café 😀", { endOfStream: true });
  const r = reports(host, from);
  assert.equal(r["utf8.text"], "[naïve café 😀]");
  assert.equal(http.request.text(), `naïve café 😀→${"naïve café 😀".length}`);
});

test("replace with a string and with bytes", async () => {
  let { host, http, from } = await stream("replace");
  http.requestBody("original body", { endOfStream: true });
  let r = reports(host, from);
  assert.equal(r["replace"], "0");
  assert.equal(r["after"], "[replaced]");
  assert.equal(r["length.after"], "8");
  assert.equal(http.request.text(), "replaced");

  ({ host, http, from } = await stream("replace-bytes"));
  http.requestBody("xx", { endOfStream: true });
  r = reports(host, from);
  assert.equal(r["replace"], "0");
  assert.deepEqual([...http.request.body], [0, 1, 2, 255]);
});

test("prepend and append, with strings and bytes", async () => {
  const { host, http, from } = await stream("wrap");
  http.requestBody("body", { endOfStream: true });
  const r = reports(host, from);
  for (const k of ["prepend", "append", "prepend.bytes", "append.bytes"]) assert.equal(r[k], "0");
  assert.equal(http.request.text(), "[<<body>>]");
});

test("setBytes: 0 drains then prepends, at the end appends, 0 < start < length is BadArgument", async () => {
  const { host, http, from } = await stream("setBytes");
  http.requestBody("abcdef", { endOfStream: true });
  const r = reports(host, from);
  assert.equal(r["setBytes.front"], "0");
  assert.equal(r["setBytes.middle"], "2");
  assert.equal(r["setBytes.end"], "0");
  assert.equal(r["after"], "[ABcdef!]");
  assert.equal(http.request.text(), "ABcdef!");
});

test("StopIterationAndBuffer: the last callback sees the whole body and rewrites it", async () => {
  const { host, http, from } = await stream("buffer");
  assert.equal(http.requestBody("one "), Action.Pause);
  assert.equal(http.requestBody("two "), Action.Pause);
  assert.equal(http.request.text(), "", "nothing forwarded while buffering");
  assert.equal(http.requestBody("three", { endOfStream: true }), Action.Continue);
  const r = reports(host, from);
  assert.equal(r["chunk1.size"], "4");
  assert.equal(r["chunk2.size"], "8", "body_size is the total buffered");
  assert.equal(r["chunk3.size"], "13");
  assert.equal(r["whole"], "[one two three]");
  assert.equal(http.request.text(), "ONE TWO THREE");
});

test("outside a body callback: get/getString null, length -1, writes NotFound", async () => {
  const host = await Host.load(wasm, { rootId: "body" });
  const http = host.newHttpContext();
  const from = mark(host);
  http.requestHeaders({ ":path": "/", "x-case": "outside" });
  const r = reports(host, from);
  assert.equal(r["outside.get"], "null");
  assert.equal(r["outside.getString"], "null");
  assert.equal(r["outside.length"], "-1");
  for (const k of ["outside.replace", "outside.append", "outside.prepend", "outside.setBytes"])
    assert.equal(r[k], "1", `${k} is NotFound`);
});

test("response body: appended at end of stream; the request body is unavailable there", async () => {
  const { host, http, from } = await stream("response");
  http.requestBody("req", { endOfStream: true });
  http.responseHeaders({ ":status": "200" });
  http.responseBody("<p>page</p>", { endOfStream: true });
  const r = reports(host, from);
  assert.equal(r["response.size"], "11");
  assert.equal(r["response.request.length"], "-1");
  assert.equal(http.response.text(), "<p>page</p><!-- response -->");
});
