// The generated traffic is traffic Envoy could send: valid header names and values, the
// pseudo-headers first, Envoy's size limits, no body where HTTP forbids one; and the checks of
// what a filter passes on accept exactly what Envoy accepts.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { httpStory, tcpStory } from "../../src/host/fuzz/arbitraries.js";
import {
  headerNameProblem,
  headerProblems,
  headerValueProblem,
  localReplyProblems,
} from "../../src/host/fuzz/checks.js";
import { httpFrames, tcpFrames, type HttpStreamSpec } from "../../src/host/fuzz/story.js";
import { stringToBytes } from "../../src/host/pairs.js";

test("header names and values: what Envoy sends on, and what it refuses", () => {
  for (const ok of ["x-a", "content-type", "a!#$%&'*+-.^_`|~9"])
    assert.equal(headerNameProblem(ok, false), null, ok);
  for (const pseudo of [":method", ":path", ":status", ":authority", ":scheme", ":protocol"])
    assert.equal(headerNameProblem(pseudo, true), null, pseudo);
  assert.match(headerNameProblem(":path", false)!, /pseudo-header ":path" where none may be/);
  assert.match(headerNameProblem(":foo", true)!, /unknown pseudo-header/);
  assert.match(headerNameProblem("", false)!, /empty header name/);
  for (const bad of ["x a", "x:a", "x\na", "é", "X-Upper"])
    assert.match(headerNameProblem(bad, false)!, /not an HTTP token/, bad);
  for (const ok of ["", "a b", "\t", "é日😀", "\udc80\udcff"])
    assert.equal(headerValueProblem("x", ok), null, JSON.stringify(ok));
  assert.match(headerValueProblem("x", "a\nb")!, /LF byte/);
  assert.match(headerValueProblem("x", "a\rb")!, /CR byte/);
  assert.match(headerValueProblem("x", "a\0b")!, /NUL byte/);
  assert.deepEqual(
    localReplyProblems({
      status: 200,
      body: Buffer.alloc(0),
      headers: [],
      details: "",
      grpcStatus: null,
    }),
    [],
  );
  for (const status of [0, 99, 100, 199, 600])
    assert.equal(
      localReplyProblems({
        status,
        body: Buffer.alloc(0),
        headers: [],
        details: "",
        grpcStatus: null,
      }).length,
      1,
      String(status),
    );
});

test("generated HTTP streams are what Envoy could send", () => {
  const stories = fc.sample(httpStory({ headerNames: ["X-Mine"] }), { numRuns: 300, seed: 7 });
  let nonAscii = 0;
  let multiChunk = 0;
  let mine = 0;
  for (const story of stories) {
    assert.ok(story.streams.length >= 1 && story.streams.length <= 3);
    for (const s of story.streams as HttpStreamSpec[]) {
      for (const [side, m] of [
        ["request", s.request],
        ["response", s.response],
      ] as const) {
        assert.deepEqual(headerProblems(`${side} headers`, m.headers, true), []);
        assert.ok(m.headers.length <= 100, `${m.headers.length} ${side} headers`);
        const bytes = m.headers.reduce(
          (n, [k, v]) => n + stringToBytes(k).length + stringToBytes(v).length,
          0,
        );
        assert.ok(bytes <= 60 * 1024, `${bytes} bytes of ${side} headers`);
        // Pseudo-headers first, and only the ones of this side.
        const pseudo = m.headers.filter(([k]) => k.startsWith(":")).map(([k]) => k);
        assert.deepEqual(
          m.headers.slice(0, pseudo.length).map(([k]) => k),
          pseudo,
        );
        assert.deepEqual(
          pseudo,
          side === "request" ? [":method", ":scheme", ":authority", ":path"] : [":status"],
        );
        if (m.trailers) assert.deepEqual(headerProblems("trailers", m.trailers, false), []);
        if (m.trailers) assert.ok(m.chunks.length > 0, "trailers come after a body");
        nonAscii += m.headers.some(([, v]) => [...v].some((c) => c.charCodeAt(0) > 0x7f)) ? 1 : 0;
        if (m.chunks.filter((c) => c.length > 0).length >= 2) multiChunk++;
        if (m.headers.some(([k]) => k === "x-mine")) mine++;
      }
      const method = s.request.headers.find(([k]) => k === ":method")![1];
      const status = Number(s.response.headers[0][1]);
      assert.ok(status >= 200 && status <= 599);
      if (method === "HEAD" || status === 204 || status === 304)
        assert.equal(s.response.chunks.length, 0, `${method} ${status} has no body`);
      assert.match(s.request.headers.find(([k]) => k === ":path")![1], /^\//);
      // Frames in Envoy's order: exactly one end of stream per side, on its last frame.
      const frames = httpFrames(s).filter((f) => f.kind !== "reset");
      for (const side of ["request", "response"]) {
        const own = frames.filter((f) => f.kind.startsWith(side));
        const ends = own.map((f) => ("eos" in f ? f.eos : f.kind.endsWith("Trailers")));
        if (own.length && !httpFrames(s).some((f) => f.kind === "reset"))
          assert.deepEqual(ends, [...ends.slice(0, -1).map(() => false), true], side);
      }
    }
  }
  // The traffic is varied enough to matter: these happen often.
  assert.ok(nonAscii > 100, `${nonAscii} messages with a non-ASCII header value`);
  assert.ok(multiChunk > 50, `${multiChunk} bodies in two or more chunks`);
  assert.ok(mine > 50, `${mine} messages with the filter's own header`);
});

test("generated TCP connections end with a close from each side", () => {
  for (const story of fc.sample(tcpStory(), { numRuns: 200, seed: 3 })) {
    for (const c of story.streams) {
      const frames = tcpFrames(c as never);
      const closes = frames.filter((f) => f.kind.startsWith("close"));
      assert.equal(closes.length, 2);
      assert.deepEqual(
        new Set(closes.map((f) => f.kind)),
        new Set(["closeDownstream", "closeUpstream"]),
      );
      assert.deepEqual(frames.slice(-2), closes, "the closes come last");
      for (const from of ["downstreamData", "upstreamData"]) {
        const own = frames.filter((f) => f.kind === from) as { eos: boolean }[];
        assert.ok(
          own.slice(0, -1).every((f) => !f.eos),
          "end of stream only on the last chunk",
        );
      }
    }
  }
});
