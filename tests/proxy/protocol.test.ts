// The dev proxy's HTTP/1 handling as Envoy's codec does it: header bytes passed through as they
// are, no stale content-length (a body a filter changed cannot smuggle a request past it), none on
// 204/304, 400 for a duplicate Host, absolute-form targets, and RE2 route regexes.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { before, describe, it } from "node:test";
import { parseEnvoyConfig } from "../../src/proxy/index.js";
import { Router } from "../../src/proxy/routes.js";
import { readBody, repoRoot, sleep, startServer, withProxy } from "./helpers.js";

const FILTERS = `${repoRoot}tests/proxy/build/protocol_filters.wasm`;

before(() => {
  // Incremental: compiles tests/proxy/filters/protocol_filters.ts only when it changed.
  const r = spawnSync(process.execPath, ["scripts/build-examples.mjs", "proxy:protocol_filters"], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  if (r.status !== 0 || !existsSync(FILTERS)) throw new Error(`build failed:\n${r.stderr}`);
});

/** Raw bytes in, every byte the proxy answers until it closes (or `ms` passed). */
function raw(port: number, data: Buffer | string, ms = 3000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    const socket = net.connect(port, "127.0.0.1", () => socket.write(data));
    const done = () => resolve(Buffer.concat(parts));
    socket.setTimeout(ms, () => {
      socket.destroy();
      done();
    });
    socket.on("data", (d) => parts.push(d));
    socket.on("close", done);
    socket.on("error", reject);
  });
}

/** The head of a raw response: status and headers with their values as bytes. */
function head(bytes: Buffer): { status: number; headers: [string, Buffer][]; body: Buffer } {
  const end = bytes.indexOf("\r\n\r\n");
  assert.ok(end > 0, `no response head in ${JSON.stringify(bytes.toString("latin1"))}`);
  const lines = bytes.subarray(0, end).toString("latin1").split("\r\n");
  const status = Number(lines[0].split(" ")[1]);
  const headers = lines.slice(1).map((l): [string, Buffer] => {
    const i = l.indexOf(":");
    return [l.slice(0, i).toLowerCase(), Buffer.from(l.slice(i + 1).trim(), "latin1")];
  });
  return { status, headers, body: bytes.subarray(end + 4) };
}

function value(h: [string, Buffer][], name: string): Buffer | undefined {
  return h.find(([k]) => k === name)?.[1];
}

/** Request headers the upstream got, values as bytes (Node hands them over as latin1). */
function rawHeaderBytes(req: http.IncomingMessage): [string, Buffer][] {
  const out: [string, Buffer][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    out.push([req.rawHeaders[i].toLowerCase(), Buffer.from(req.rawHeaders[i + 1], "latin1")]);
  return out;
}

describe("dev proxy protocol: header bytes", () => {
  it("passes header bytes byte for byte between client, filter and upstream", async () => {
    let seen: [string, Buffer][] = [];
    const upstream = await startServer((req, res) => {
      seen = rawHeaderBytes(req);
      req.resume();
      // Node writes header strings as latin1: these are the bytes c3 a9 and e9 ff.
      res.writeHead(200, ["x-up", "caf\xc3\xa9", "x-up-raw", "\xe9\xff", "content-length", "2"]);
      res.end(Buffer.from("ok")); // (a string body would make Node write the head as UTF-8)
    });
    await withProxy(
      { filters: [{ wasm: FILTERS, rootId: "header_bytes" }], upstream: upstream.url },
      async ({ port }) => {
        const request = Buffer.concat([
          Buffer.from("GET /h HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-V: caf"),
          Buffer.from([0xc3, 0xa9]),
          Buffer.from("\r\nX-Raw: "),
          Buffer.from([0xe9, 0xff]),
          Buffer.from("\r\n\r\n"),
        ]);
        const r = head(await raw(port, request));
        assert.equal(r.status, 200);
        // Upstream: the client's bytes as they were, the filter's UTF-8 as UTF-8.
        assert.deepEqual(value(seen, "x-v"), Buffer.from("café"));
        assert.deepEqual(value(seen, "x-raw"), Buffer.from([0xe9, 0xff]));
        assert.equal(value(seen, "x-v-hex")?.toString(), "636166c3a9", "the filter saw c3 a9");
        assert.deepEqual(value(seen, "x-added"), Buffer.from("héllo"));
        assert.deepEqual(value(seen, "x-jp"), Buffer.from("日本"));
        // Client: the upstream's bytes as they were, the filter's UTF-8 as UTF-8.
        assert.deepEqual(value(r.headers, "x-up"), Buffer.from("café"));
        assert.deepEqual(value(r.headers, "x-up-raw"), Buffer.from([0xe9, 0xff]));
        assert.deepEqual(value(r.headers, "x-resp"), Buffer.from("héllo 日本"));
      },
      [upstream],
    );
  });
});

describe("dev proxy protocol: content-length", () => {
  it("a filter that doubles a streamed body cannot smuggle a request past itself", async () => {
    const bodies: Buffer[] = [];
    const upstream = await startServer(async (req, res) => {
      bodies.push(await readBody(req));
      res.writeHead(200, { "content-length": "2" });
      res.end("ok");
    });
    const smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
    await withProxy(
      { filters: [{ wasm: FILTERS, rootId: "double_body" }], upstream: upstream.url },
      async ({ port }) => {
        const request =
          `POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\n` +
          `Content-Length: ${smuggled.length}\r\n\r\n${smuggled}`;
        const r = head(await raw(port, request));
        assert.equal(r.status, 200);
        await sleep(100); // what a smuggled request would need to reach the upstream
        assert.deepEqual(
          upstream.requests.map((q) => q.url),
          ["/upload"],
          "only the request the filter saw reached the upstream",
        );
        const [only] = upstream.requests;
        assert.equal(only.headers["x-filtered"], "yes");
        // The declared length arrived in full, so the filter saw the body with end of stream and
        // the proxy sends the length of what the filter made, never the stale one.
        assert.equal(only.headers["content-length"], String(2 * smuggled.length));
        assert.equal(only.headers["transfer-encoding"], undefined);
        assert.equal(bodies[0].toString(), smuggled + smuggled, "the whole doubled body");
      },
      [upstream],
    );
  });

  it("sends no content-length on a 204 or 304, and a streamed response through a filter is chunked", async () => {
    const upstream = await startServer((req, res) => {
      req.resume();
      if (req.url === "/204") res.writeHead(204, { "content-length": "0" }).end();
      else if (req.url === "/304") res.writeHead(304, { "content-length": "12" }).end();
      else {
        res.writeHead(200, { "content-length": "10" });
        res.write("hello");
        setTimeout(() => res.end("world"), 30);
      }
    });
    await withProxy(
      { filters: [{ wasm: FILTERS, rootId: "header_bytes" }], upstream: upstream.url },
      async ({ port }) => {
        for (const status of [204, 304]) {
          const r = head(
            await raw(port, `GET /${status} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
          );
          assert.equal(r.status, status);
          assert.equal(
            value(r.headers, "content-length"),
            undefined,
            `content-length on ${status}`,
          );
        }
        const r = head(
          await raw(port, `GET /stream HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
        );
        assert.equal(value(r.headers, "content-length"), undefined);
        assert.equal(value(r.headers, "transfer-encoding")?.toString(), "chunked");
        assert.match(r.body.toString(), /hello[\s\S]*world/);
      },
      [upstream],
    );
  });
});

describe("dev proxy protocol: request line and Host", () => {
  it("answers a duplicate Host with 400 before any filter or upstream", async () => {
    const upstream = await startServer((req, res) => res.end("reached"));
    await withProxy(
      { filters: [{ wasm: FILTERS, rootId: "header_bytes" }], upstream: upstream.url },
      async ({ port }, logs) => {
        const r = head(await raw(port, "GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n"));
        assert.equal(r.status, 400);
        assert.equal(r.body.toString(), "Bad Request");
        assert.equal(upstream.requests.length, 0);
        const access = logs.events.find((e) => e.kind === "access")?.access;
        assert.equal(access?.localReply?.details, "http1.duplicate_host_header");
      },
      [upstream],
    );
  });

  it("an absolute-form target gives :authority and :path (the Host header is ignored)", async () => {
    const upstream = await startServer((req, res) => res.end("ok"));
    await withProxy(
      {
        clusters: { site: upstream.url },
        routes: [{ prefix: "/", domains: ["example.com"], cluster: "site" }],
      },
      async ({ port }) => {
        const r = head(
          await raw(
            port,
            "GET http://example.com/x?y=1 HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n",
          ),
        );
        assert.equal(r.status, 200);
        assert.equal(upstream.requests[0]?.url, "/x?y=1");
        assert.equal(upstream.requests[0]?.headers.host, "example.com");
        const bad = head(await raw(port, "GET ftp://example.com/x HTTP/1.1\r\nHost: a\r\n\r\n"));
        assert.equal(bad.status, 400);
      },
      [upstream],
    );
  });
});

describe("dev proxy protocol: route regexes (RE2)", () => {
  it("matches in linear time: (a+)+b against a long run of a's returns at once", () => {
    const router = new Router([
      { regex: "/(a+)+b", cluster: "x" },
      { prefix: "/", cluster: "y" },
    ]);
    const started = performance.now();
    const m = router.match("h", `/${"a".repeat(26)}c`);
    const ms = performance.now() - started;
    assert.equal(m?.route.cluster, "y");
    assert.ok(ms < 100, `took ${ms.toFixed(0)} ms`);
    assert.equal(router.match("h", "/aaab?q")?.route.cluster, "x", "full match of the path");
  });

  it("takes RE2 syntax and refuses what RE2 refuses, naming the route", () => {
    const named = new Router([{ regex: "/users/(?P<id>[0-9]+)", cluster: "x" }]);
    assert.equal(named.match("h", "/users/42")?.route.cluster, "x");
    assert.throws(
      () => new Router([{ regex: "/(a)\\1", cluster: "x", name: "backref" }]),
      /route "backref": safe_regex "\/\(a\)\\1" is not an RE2 pattern/,
    );
    assert.throws(() => new Router([{ regex: "/(?=a)", cluster: "x" }]), /route 1: .*RE2/);
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
          route_config:
            virtual_hosts:
            - name: local
              domains: ["*"]
              routes:
              - name: look
                match: { safe_regex: { regex: "/(?<=x)y" } }
                route: { cluster: up }
`;
    assert.throws(() => parseEnvoyConfig(yaml, "/"), /main: route look: safe_regex/);
  });
});
