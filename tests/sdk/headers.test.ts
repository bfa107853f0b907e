// HeaderMap wrappers (get / has / add / replace / remove / getAll / setAll / byteSize) and the
// pairs helpers, driven through tests/filters/headers.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, Action } from "proxy-wasm-as/host";
import { filterWasm, mark, reports } from "./helpers.ts";

const wasm = filterWasm("headers");
const load = () => Host.load(wasm, { rootId: "headers" });

test("reading: first value, null vs empty, has, getAll, byteSize, pairs helpers", async () => {
  const host = await load();
  const http = host.newHttpContext();
  const from = mark(host);
  const headers: [string, string][] = [
    [":path", "/r"],
    ["x-case", "read"],
    ["x-a", "one"],
    ["x-a", "two"],
    ["x-empty", ""],
  ];
  assert.equal(http.requestHeaders(headers, { endOfStream: true }), Action.Continue);
  const r = reports(host, from);
  assert.equal(r["request.num_headers"], "5");
  assert.equal(r["request.end_of_stream"], "true");
  assert.equal(r["get"], "[one]", "get returns the first value, name case-insensitive");
  assert.equal(r["get.a"], "[one]");
  assert.equal(r["get.missing"], "null");
  assert.equal(r["get.empty"], "[]", "an empty value is not null");
  assert.equal(r["has.a"], "true");
  assert.equal(r["has.empty"], "true");
  assert.equal(r["has.missing"], "false");
  assert.equal(r["get_headers.length"], "5");
  assert.equal(r["get_headers"], headers.map(([k, v]) => `${k}: ${v}`).join("|"));
  assert.equal(r["findHeader.a"], "[one]");
  assert.equal(r["findHeader.missing"], "null");
  const byteSize = headers.reduce((n, [k, v]) => n + k.length + v.length, 0);
  assert.equal(r["byteSize"], String(byteSize), "Envoy byteSize: names plus values");
  assert.equal(r["pair.keyText"], ":path//r");
  assert.equal(r["pair.of"], "K: v");
  assert.equal(r["own.map"], "[one]");
});

test("UTF-8 values and large maps", async () => {
  const host = await load();
  const http = host.newHttpContext();
  const from = mark(host);
  const many: [string, string][] = Array.from({ length: 200 }, (_, i) => [`x-h${i}`, `v${i}`]);
  http.requestHeaders([
    [":path", "/"],
    ["x-case", "utf8"],
    ["x-text", "héllo wörld ☃ 😀"],
    ...many,
  ]);
  const r = reports(host, from);
  assert.equal(r["utf8.get"], "héllo wörld ☃ 😀");
  assert.equal(r["utf8.length"], String("héllo wörld ☃ 😀".length), "decoded to UTF-16 correctly");
  assert.equal(r["utf8.add"], "0");
  assert.equal(http.request.headers.get("x-copy"), "héllo wörld ☃ 😀 ✓");
  assert.equal(r["many.count"], "204");
  assert.equal(r["many.last"], "v199");
});

test("add keeps existing entries, replace changes the first in place, remove drops every copy", async () => {
  const host = await load();
  const http = host.newHttpContext();
  const from = mark(host);
  http.requestHeaders([
    [":path", "/"],
    ["x-case", "mutate"],
    ["x-a", "first"],
    ["x-rep", "old1"],
    ["x-rep", "old2"],
    ["x-gone", "1"],
    ["x-gone", "2"],
  ]);
  const r = reports(host, from);
  for (const k of ["add", "add.repeat", "replace", "replace.absent", "remove", "remove.absent"])
    assert.equal(r[k], "0", `${k} returns Ok`);
  const expected: [string, string][] = [
    [":path", "/"],
    ["x-case", "mutate"],
    ["x-a", "first"],
    ["x-rep", "new"],
    ["x-rep", "old2"],
    ["x-added", "1"],
    ["x-a", "second"],
    ["x-created", "by-replace"],
  ];
  assert.deepEqual(http.request.headers.entries(), expected);
  assert.equal(r["after"], expected.map(([k, v]) => `${k}: ${v}`).join("|"));
});

test("set_headers replaces the whole map (names lower-cased by the host)", async () => {
  const host = await load();
  const http = host.newHttpContext();
  const from = mark(host);
  http.requestHeaders({ ":path": "/old", "x-case": "set", "x-drop": "me" });
  const r = reports(host, from);
  assert.equal(r["set_headers"], "0");
  assert.deepEqual(http.request.headers.entries(), [
    [":path", "/rewritten"],
    ["x-only", "1"],
    ["x-only", "2"],
  ]);
});

test("outside their callback: maps give BadArgument / null / empty / not ok, trailers can be added at end of stream", async () => {
  const host = await load();
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/p", "x-case": "outside" });
  const from = mark(host);
  http.requestBody("body", { endOfStream: true });
  const r = reports(host, from);
  assert.equal(r["outside.get"], "null");
  assert.equal(r["outside.has"], "false");
  assert.equal(r["outside.add"], "2");
  assert.equal(r["outside.replace"], "2");
  assert.equal(r["outside.remove"], "2");
  assert.equal(r["outside.get_headers"], "", "the host answers Ok with no pairs here");
  assert.equal(r["outside.set_headers"], "2");
  assert.equal(r["outside.byteSize"], "not ok 2");
  assert.equal(r["trailers.add"], "0");
  assert.equal(http.request.headers.get(":path"), "/p", "nothing changed the forwarded headers");
  assert.equal(http.request.headers.has("x-late"), false);
  assert.equal(http.request.trailers.get("x-added-trailer"), "yes");
});

test("response headers before they exist are BadArgument; after Continue the request map is gone", async () => {
  const host = await load();
  const http = host.newHttpContext();
  let from = mark(host);
  http.requestHeaders({ ":path": "/", "x-case": "response-map-early" }, { endOfStream: true });
  let r = reports(host, from);
  assert.equal(r["early.add"], "2");
  assert.equal(r["early.get"], "null");
  from = mark(host);
  http.responseHeaders({ ":status": "201" });
  r = reports(host, from);
  assert.equal(r["response.status"], "[201]");
  assert.equal(r["response.add"], "0");
  assert.equal(r["response.request.get"], "null");
  assert.equal(http.response.headers.get("x-response"), "added");
});

test("trailers: request and response trailer maps in their callbacks", async () => {
  const host = await load();
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/", "x-case": "trailers" });
  http.requestBody("x");
  let from = mark(host);
  http.requestTrailers({ "x-t": "orig" });
  let r = reports(host, from);
  assert.equal(r["trailers.num"], "1");
  assert.equal(r["trailers.get"], "[orig]");
  assert.equal(r["trailers.replace"], "0");
  assert.equal(r["trailers.add"], "0");
  assert.equal(r["trailers.byteSize"], String("x-tchanged".length + "x-t2added".length));
  assert.deepEqual(http.request.trailers.entries(), [
    ["x-t", "changed"],
    ["x-t2", "added"],
  ]);
  http.responseHeaders({ ":status": "200" });
  http.responseBody("y");
  from = mark(host);
  http.responseTrailers({ "grpc-status": "0", "x-secret": "s" });
  r = reports(host, from);
  assert.equal(r["response.trailers.get"], "[0]");
  assert.equal(r["response.trailers.remove"], "0");
  assert.equal(r["response.trailers"], "grpc-status: 0");
  assert.deepEqual(http.response.trailers.entries(), [["grpc-status", "0"]]);
});

test("onLog: request and response headers are readable again but read-only; request trailers are gone", async () => {
  const host = await load();
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/logged", "x-case": "log" });
  http.requestBody("b");
  http.requestTrailers({ "x-t": "1" });
  http.responseHeaders({ ":status": "200" }, { endOfStream: true });
  const from = mark(host);
  http.complete();
  const r = reports(host, from);
  assert.equal(r["log.path"], "[/logged]");
  assert.equal(r["log.response"], "[added]");
  assert.equal(r["log.get_headers.length"], "2");
  assert.equal(r["log.add"], "2");
  assert.equal(r["log.request.trailers"], "null");
  assert.equal(http.request.headers.has("x-log"), false);
});

test("many reads in one callback: one hostcall each, and changes show at once", async () => {
  const host = await load();
  // Count the blocks the host hands over (every value read comes through the allocator).
  const vm = host.vm as unknown as { allocate(size: number): number };
  const allocate = vm.allocate.bind(vm);
  let handedOver = 0;
  vm.allocate = (size) => (handedOver++, allocate(size));
  const http = host.newHttpContext();
  const from = mark(host);
  http.requestHeaders([
    [":path", "/"],
    ["x-case", "many-reads"],
    ["x-a", "1"],
    ["x-b", "2"],
    ["x-dup", "first"],
    ["x-dup", "second"],
  ]);
  // One value per read that finds its header (x-case, then x-a, x-b, x-a, X-B, x-dup, x-a,
  // x-new, x-only); missing headers hand nothing over.
  assert.equal(handedOver, 9);
  http.requestBody("body", { endOfStream: true });
  const r = reports(host, from);
  assert.equal(r["reads.first"], "1,2");
  assert.equal(r["reads.a"], "1");
  assert.equal(r["reads.upper"], "2");
  assert.equal(r["reads.repeated"], "first");
  assert.equal(r["reads.missing"], "null");
  assert.equal(r["reads.after-replace"], "changed");
  assert.equal(r["reads.after-add"], "added");
  assert.equal(r["reads.after-remove"], "null");
  assert.equal(r["reads.after-set"], "null,1");
  assert.equal(r["reads.next-callback"], "null");
  assert.deepEqual(http.request.headers.entries(), [["x-only", "1"]]);
});

test("values read one after another through the reused block stay whole and separate", async () => {
  const host = await load();
  const http = host.newHttpContext();
  const from = mark(host);
  const long = "l".repeat(3000) + "-end";
  const headers: [string, string][] = [
    [":path", "/"],
    ["x-case", "reuse"],
    ["x-long", long],
    ["x-short", "ab"],
    ["x-text", "héllo ☃ 😀 \xff"],
    ["x-big", "b".repeat(20000)], // over 4 KiB: an object of its own
  ];
  http.requestHeaders(headers);
  const r = reports(host, from);
  assert.equal(r["reuse.long"], long);
  assert.equal(r["reuse.short"], "ab/2");
  assert.equal(r["reuse.text"], `héllo ☃ 😀 \xff/${"héllo ☃ 😀 \xff".length}`);
  assert.equal(r["reuse.big"], "20000/ok");
  assert.equal(r["reuse.after"], "ab");
  assert.equal(r["reuse.has"], "true,false");
  assert.equal(r["reuse.all"], headers.map(([k, v]) => `${k}: ${v}`).join("|"));
  assert.equal(r["reuse.again"], `${long},ab`);
});
