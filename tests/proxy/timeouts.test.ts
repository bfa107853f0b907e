// Envoy's timeouts in the dev proxy: the route timeout (15 s by default; 504 "upstream request
// timeout", or a reset once the response started) and the stream idle timeout (5 min by default;
// 408 "stream timeout", 504 once the request was complete), from options or envoy.yaml. Every
// test sets them to a fraction of a second.
import assert from "node:assert/strict";
import net from "node:net";
import { describe, it } from "node:test";
import { parseEnvoyConfig } from "../../src/proxy/index.js";
import {
  DEFAULT_ROUTE_TIMEOUT_MS,
  DEFAULT_STREAM_IDLE_TIMEOUT_MS,
  Router,
} from "../../src/proxy/routes.js";
import { ADD_HEADER, logSink, startServer, type TestServer, withProxy } from "./helpers.js";

/** An upstream that reads requests and never answers (held until close). */
async function silentUpstream(): Promise<TestServer> {
  return startServer((req) => req.resume());
}

const access = (logs: ReturnType<typeof logSink>) =>
  logs.events.find((e) => e.kind === "access")?.access;

/** Waits until the access line is written (the exchange finished). */
async function accessRecord(logs: ReturnType<typeof logSink>) {
  for (let i = 0; i < 100 && !access(logs); i++) await new Promise((r) => setTimeout(r, 10));
  return access(logs);
}

describe("dev proxy timeouts: the route timeout", () => {
  it("Envoy's defaults: route 15 s, stream idle 5 min", () => {
    assert.equal(DEFAULT_ROUTE_TIMEOUT_MS, 15_000);
    assert.equal(DEFAULT_STREAM_IDLE_TIMEOUT_MS, 300_000);
    assert.equal(new Router([{ prefix: "/", cluster: "x" }]).streamIdleTimeout, 300_000);
  });

  it("an upstream that never answers gets Envoy's 504 upstream request timeout", async () => {
    const upstream = await silentUpstream();
    await withProxy(
      {
        clusters: { up: upstream.url },
        routes: [{ prefix: "/", cluster: "up", timeout: 150 }],
      },
      async ({ url }, logs) => {
        const started = performance.now();
        const res = await fetch(`${url}/slow`, { signal: AbortSignal.timeout(3000) });
        const ms = performance.now() - started;
        assert.equal(res.status, 504);
        assert.equal(await res.text(), "upstream request timeout");
        assert.ok(ms >= 140 && ms < 2000, `answered after ${ms.toFixed(0)} ms`);
        const a = await accessRecord(logs);
        assert.deepEqual(a?.localReply, { filter: "proxy", details: "upstream_response_timeout" });
        assert.equal(upstream.requests.length, 1);
      },
      [upstream],
    );
  });

  it("resets the stream when the timeout passes after the response started", async () => {
    const upstream = await startServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-length": "100" });
      res.write("partial"); // …and the rest never comes
    });
    await withProxy(
      {
        clusters: { up: upstream.url },
        routes: [{ prefix: "/", cluster: "up", timeout: 150 }],
      },
      async ({ url }, logs) => {
        const res = await fetch(`${url}/stall`, { signal: AbortSignal.timeout(3000) });
        assert.equal(res.status, 200);
        await assert.rejects(res.text(), (err: Error) => !/TimeoutError|aborted/i.test(err.name));
        const a = await accessRecord(logs);
        assert.equal(a?.reset, "upstream_response_timeout");
      },
      [upstream],
    );
  });

  it("reads timeout, idle_timeout and stream_idle_timeout from envoy.yaml", () => {
    const yaml = `
static_resources:
  listeners:
  - name: main
    address: { socket_address: { address: 127.0.0.1, port_value: 10000 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stream_idle_timeout: 0.3s
          route_config:
            virtual_hosts:
            - name: local
              domains: ["*"]
              routes:
              - match: { prefix: "/fast" }
                route: { cluster: up, timeout: 0.25s, idle_timeout: { seconds: 1, nanos: 500000000 } }
              - match: { prefix: "/" }
                route: { cluster: up, timeout: 0s }
  clusters:
  - name: up
    load_assignment:
      cluster_name: up
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 9 } } } }] }]
`;
    const cfg = parseEnvoyConfig(yaml, "/");
    assert.equal(cfg.streamIdleTimeout, 300);
    assert.deepEqual(
      cfg.routes.map((r) => [r.name, r.timeout, r.idleTimeout, r.streamIdleTimeout]),
      [
        ["local.routes[0]", 250, 1500, 300],
        ["local.routes[1]", 0, undefined, 300],
      ],
    );
    assert.equal(new Router(cfg.routes).streamIdleTimeout, 300);
  });
});

describe("dev proxy timeouts: the stream idle timeout", () => {
  it("a client that stops sending its body gets 408 stream timeout", async () => {
    const upstream = await silentUpstream();
    await withProxy(
      {
        clusters: { up: upstream.url },
        routes: [{ prefix: "/", cluster: "up", streamIdleTimeout: 150 }],
      },
      async ({ port }, logs) => {
        const answer = await new Promise<string>((resolve, reject) => {
          let out = "";
          const socket = net.connect(port, "127.0.0.1", () =>
            socket.write("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"),
          );
          socket.setTimeout(3000, () => {
            socket.destroy();
            resolve(out);
          });
          socket.on("data", (d) => {
            out += d.toString("latin1");
            if (out.includes("stream timeout")) {
              socket.destroy();
              resolve(out);
            }
          });
          socket.on("close", () => resolve(out));
          socket.on("error", reject);
        });
        assert.match(answer, /^HTTP\/1\.1 408 /);
        assert.match(answer, /stream timeout$/);
        const a = await accessRecord(logs);
        assert.equal(a?.localReply?.details, "stream_idle_timeout");
      },
      [upstream],
    );
  });

  it("a complete request whose upstream stays silent gets 504 stream timeout, through the filters", async () => {
    const upstream = await silentUpstream();
    await withProxy(
      {
        filters: [{ wasm: ADD_HEADER, rootId: "add_header" }],
        clusters: { up: upstream.url },
        // The route's idle_timeout replaces the stream idle timeout once routed; the route
        // timeout is longer, so the idle timeout answers.
        routes: [{ prefix: "/", cluster: "up", timeout: 5000, idleTimeout: 150 }],
      },
      async ({ url }, logs) => {
        const res = await fetch(`${url}/quiet`, { signal: AbortSignal.timeout(3000) });
        assert.equal(res.status, 504);
        assert.equal(await res.text(), "stream timeout");
        assert.equal(res.headers.get("hello"), "world!", "the reply passed the filter");
        const a = await accessRecord(logs);
        assert.equal(a?.localReply?.details, "stream_idle_timeout");
      },
      [upstream],
    );
  });
});
