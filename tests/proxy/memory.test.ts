// The dev proxy keeps no more than Envoy would: forwarded body chunks are released, a filter that
// holds the headers pauses the client at the buffer limit, a trapped VM is dropped (and its
// module reused), and local replies carry the filter's headers once. Memory itself is measured
// in bench/hardening/proxy.ts; these tests check the structure that keeps it flat.
import assert from "node:assert/strict";
import http from "node:http";
import { before, describe, it } from "node:test";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { encodePairs, type HttpContext } from "../../src/host/index.js";
import { filter } from "../host/helpers.js";
import { type DevProxy } from "../../src/proxy/index.js";
import { ADD_HEADER, proxyFilters, sleep, startServer, withProxy } from "./helpers.js";

let FILTERS = "";

before(async () => {
  FILTERS = await proxyFilters();
});

/** The emulator's live HTTP streams. */
function liveStreams(proxy: DevProxy): HttpContext[] {
  const out: HttpContext[] = [];
  for (const vm of proxy.emulator!.vms)
    for (const c of vm.contexts.values()) if (c.kind === "http") out.push(c as HttpContext);
  return out;
}

/** Waits until `cond` holds (polling), at most `ms`. */
async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await sleep(5);
  }
}

describe("dev proxy memory: streamed bodies", () => {
  it("releases every forwarded chunk of a streamed request and response while the stream is open", async () => {
    let received = 0;
    let upstreamRes: http.ServerResponse | null = null;
    const upstream = await startServer((req, res) => {
      req.on("data", (c: Buffer) => (received += c.length));
      req.on("end", () => res.end("done"));
      res.writeHead(200, { "content-type": "application/octet-stream" });
      res.write(Buffer.alloc(256 * 1024, 1)); // the response streams too
      upstreamRes = res;
    });
    await withProxy(
      { filters: [{ wasm: ADD_HEADER, rootId: "add_header" }], upstream: upstream.url },
      async (proxy) => {
        const chunk = Buffer.alloc(64 * 1024, 7);
        const total = 4 * 1024 * 1024;
        let responseBytes = 0;
        let status = 0;
        const req = http.request(`${proxy.url}/upload`, { method: "POST" }, (res) => {
          status = res.statusCode ?? 0;
          res.on("data", (c: Buffer) => (responseBytes += c.length));
        });
        const closed = new Promise((resolve) => req.on("close", resolve));
        let sent = 0;
        const pump = () => {
          while (sent < total) {
            sent += chunk.length;
            if (!req.write(chunk)) return void req.once("drain", pump);
          }
        };
        pump();
        await until(() => received >= total && responseBytes >= 256 * 1024);
        assert.ok(upstreamRes);
        const [ctx] = liveStreams(proxy);
        assert.ok(ctx, "the stream is still open");
        assert.equal(ctx.request.bodyChunks.length, 0, "no forwarded request chunk is kept");
        assert.equal(ctx.request.body.length, 0);
        assert.equal(ctx.response.bodyChunks.length, 0, "no forwarded response chunk is kept");
        assert.equal(ctx.request.bodyBytesForwarded, total, "yet every byte went through");
        req.end();
        await closed;
        assert.equal(status, 200);
        assert.equal(responseBytes, 256 * 1024 + 4);
      },
      [upstream],
    );
  });
});

describe("dev proxy: local reply headers", () => {
  it("sends the filter's content-type once, text/plain only when it set none", async () => {
    const plain = encodePairs([["content-type", "text/plain"]]);
    const json = encodePairs([["content-type", "application/json"]]);
    // On the request path (the reply goes back through the filter), and from the response body
    // callback after the response headers passed the filter (sent directly by the proxy).
    const wasm = await filter(
      ({ s }) => `
      (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
        (i32.store (i32.const 0x104) (i32.const 0))
        (drop (call $proxy_get_header_map_value (i32.const 0) ${s(":path")} (i32.const 0x100) (i32.const 0x104)))
        (if (i32.eq (i32.load (i32.const 0x104)) (i32.const 6))
          (then (drop (call $proxy_send_local_response (i32.const 403) ${s("")} ${s("denied")} ${s(plain)} (i32.const -1)))))
        (i32.const 0))
      (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32)
        (drop (call $proxy_send_local_response (i32.const 500) ${s("")} ${s("{}")} ${s(json)} (i32.const -1)))
        (i32.const 0))`,
    );
    await withProxy({ filters: [{ wasm }] }, async (proxy) => {
      const denied = await fetch(`${proxy.url}/deny`); // ":path" of 5 bytes: no
      assert.equal(denied.status, 500, "the echo body reached on_response_body");
      assert.equal(denied.headers.get("content-type"), "application/json");
      assert.equal(await denied.text(), "{}");
      const plainReply = await fetch(`${proxy.url}/deny1`); // 6 bytes
      assert.equal(plainReply.status, 403);
      assert.equal(plainReply.headers.get("content-type"), "text/plain");
      assert.equal(plainReply.headers.get("content-length"), "6");
      assert.equal(await plainReply.text(), "denied");
    });
  });
});

describe("dev proxy memory: traps", () => {
  it("drops every trapped VM (instance and memory) and instantiates the module compiled once", async () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    await withProxy({ filters: [{ wasm: FILTERS, rootId: "trap" }] }, async (proxy, logs) => {
      const host = proxy.emulator!;
      const firstVm = new WeakRef(host.vm);
      const firstMemory = new WeakRef(host.vm.exports.memory as object);
      for (let i = 0; i < 25; i++) {
        const res = await fetch(`${proxy.url}/trap`);
        assert.equal(res.status, 503);
        await res.arrayBuffer();
      }
      const ok = await fetch(`${proxy.url}/fine`);
      assert.equal(ok.headers.get("x-trap-filter"), "alive");
      await ok.arrayBuffer();
      assert.equal(logs.lines("proxy").filter((l) => l.includes("loaded a fresh VM")).length, 25);
      assert.equal(host.vms.length, 1, "only the live VM is kept");
      assert.equal(host.plugins.length, 1);
      assert.equal(host.compiledModules, 1, "the module is compiled once");
      await sleep(10);
      gc();
      await sleep(10);
      gc();
      assert.equal(firstMemory.deref(), undefined, "the first VM's memory was collected");
      assert.equal(firstVm.deref(), undefined, "the first VM was collected");
    });
  });

  it("keeps only a short tail of the filters' log lines (each is printed as it comes)", async () => {
    await withProxy({ filters: [{ wasm: FILTERS, rootId: "trap" }] }, async (proxy, logs) => {
      // Each trap logs a critical line with its backtrace: 400 of them are well over 64 KiB.
      for (let i = 0; i < 400; i++) await (await fetch(`${proxy.url}/trap`)).arrayBuffer();
      const printed = logs.events.filter((e) => e.kind === "filter" && e.level === "critical");
      assert.equal(printed.length, 400, "every line was printed");
      const kept = proxy.emulator!.logs();
      const bytes = kept.reduce((n, line) => n + line.length, 0);
      assert.ok(kept.length < 400, `the store kept ${kept.length} lines`);
      assert.ok(bytes <= 64 * 1024, `the store kept ${bytes} characters`);
    });
  });
});

describe("dev proxy: back-pressure while a filter holds the headers", () => {
  it("stops reading the client at the buffer limit until the filter continues, then streams it all", async () => {
    let answer: (() => void) | null = null;
    const auth = await startServer((_req, res) => {
      answer = () => res.end("ok");
    });
    let received = 0;
    const upstream = await startServer((req, res) => {
      req.on("data", (c: Buffer) => (received += c.length));
      req.on("end", () => res.end(`got ${received}`));
    });
    const limit = 64 * 1024;
    await withProxy(
      {
        filters: [{ wasm: FILTERS, rootId: "callout", config: "10000" }],
        upstream: upstream.url,
        clusters: { auth: auth.url },
        bufferLimit: limit,
      },
      async (proxy) => {
        const total = 16 * 1024 * 1024;
        const chunk = Buffer.alloc(64 * 1024, 1);
        let reply = "";
        const req = http.request(`${proxy.url}/upload`, { method: "POST" }, (res) => {
          res.on("data", (c: Buffer) => (reply += c.toString()));
        });
        req.on("error", () => undefined); // a failed assertion closes the proxy under it
        const closed = new Promise((resolve) => req.on("close", resolve));
        let sent = 0;
        const pump = () => {
          while (sent < total) {
            sent += chunk.length;
            if (sent >= total) return void req.end(chunk);
            if (!req.write(chunk)) return void req.once("drain", pump);
          }
        };
        pump();
        await until(() => answer !== null);
        await sleep(300); // the client keeps writing while the filter waits
        const [ctx] = liveStreams(proxy);
        const read = ctx.request.bytesReceived;
        assert.ok(read > limit, `the limit was reached (${read})`);
        assert.ok(read <= 2 * limit + 256 * 1024, `reading stopped near the limit, not at ${read}`);
        assert.ok(sent < total, "the client is held back");
        answer!();
        await closed;
        assert.equal(received, total, "every byte reached the upstream once the filter continued");
        assert.equal(reply, `got ${total}`);
      },
      [upstream, auth],
    );
  });
});
