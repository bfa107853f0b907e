// The dev proxy keeps no more than Envoy would: forwarded body chunks are released, a filter that
// holds the headers pauses the client at the buffer limit, a trapped VM is dropped (and its
// module reused), and local replies carry the filter's headers once. Memory itself is measured
// in bench/hardening/proxy.ts; these tests check the structure that keeps it flat.
import assert from "node:assert/strict";
import http from "node:http";
import { before, describe, it } from "node:test";
import type { HttpContext } from "../../src/host/index.js";
import { startDevProxy, type DevProxy, type DevProxyOptions } from "../../src/proxy/index.js";
import {
  ADD_HEADER,
  logSink,
  proxyFilters,
  sleep,
  startServer,
  type TestServer,
} from "./helpers.js";

let FILTERS = "";

before(async () => {
  FILTERS = await proxyFilters();
});

async function withProxy(
  options: Partial<DevProxyOptions> & Pick<DevProxyOptions, "filters">,
  f: (proxy: DevProxy, logs: ReturnType<typeof logSink>) => Promise<void>,
  servers: TestServer[] = [],
): Promise<void> {
  const logs = logSink();
  const proxy = await startDevProxy({ port: 0, onLog: logs.onLog, ...options });
  try {
    await f(proxy, logs);
  } finally {
    await proxy.close();
    for (const s of servers) await s.close();
  }
}

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
