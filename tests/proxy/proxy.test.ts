// The dev proxy over real HTTP: a proxy and upstreams on 127.0.0.1, requests with fetch.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import http from "node:http";
import http2 from "node:http2";
import { before, describe, it } from "node:test";
import {
  ADD_HEADER,
  proxyFilters,
  rawExchange,
  readBody,
  sleep,
  startServer,
  withProxy,
} from "./helpers.js";

let FILTERS = "";

before(async () => {
  FILTERS = await proxyFilters();
});

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("dev proxy: headers and the echo upstream", () => {
  it("adds hello: world! to responses (the default example) in front of the echo upstream", async () => {
    await withProxy(
      { filters: [{ wasm: ADD_HEADER, rootId: "add_header" }] },
      async (proxy, logs) => {
        assert.match(proxy.url, /^http:\/\/127\.0\.0\.1:\d+$/);
        assert.ok(proxy.echoUrl);
        const res = await fetch(`${proxy.url}/headers`, { headers: { "x-client": "yes" } });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("hello"), "world!");
        const body = (await res.json()) as { headers: Record<string, string> };
        assert.equal(body.headers["x-client"], "yes");
        assert.ok(body.headers["x-request-id"], "the connection manager's x-request-id");
        const access = logs.events.filter((e) => e.kind === "access");
        assert.equal(access.length, 1);
        assert.equal(access[0].access?.status, 200);
        assert.equal(access[0].access?.localReply, null);
        assert.deepEqual(access[0].access?.responseHeaderChanges, ["+hello"]);
        assert.match(access[0].line, /"GET \/headers" 200 .*resp_headers=\+hello/);
      },
    );
  });

  it("passes the plugin configuration", async () => {
    await withProxy(
      { filters: [{ wasm: ADD_HEADER, rootId: "add_header", config: "there" }] },
      async (proxy) => {
        const res = await fetch(`${proxy.url}/status/204`);
        assert.equal(res.status, 204);
        assert.equal(res.headers.get("hello"), "there");
      },
    );
  });

  it("echo upstream: /anything, /status/N and raw echo", async () => {
    await withProxy({ filters: [] }, async (proxy) => {
      const any = await fetch(`${proxy.url}/anything/x?a=1`, { method: "PUT", body: "data!" });
      const j = (await any.json()) as { method: string; url: string; data: string; args: object };
      assert.deepEqual(
        [j.method, j.url, j.data, j.args],
        ["PUT", "/anything/x?a=1", "data!", { a: "1" }],
      );
      assert.equal((await fetch(`${proxy.url}/status/418`)).status, 418);
      const echo = await fetch(`${proxy.url}/echo`, { method: "POST", body: "raw" });
      assert.equal(await echo.text(), "raw");
    });
  });
});

describe("dev proxy: bodies", () => {
  it("a filter rewrites buffered request and response bodies (content-length kept right)", async () => {
    await withProxy(
      { filters: [{ wasm: FILTERS, rootId: "rewrite_body" }] },
      async (proxy, logs) => {
        const res = await fetch(`${proxy.url}/anything`, { method: "POST", body: "make me loud" });
        assert.equal(res.status, 200);
        const text = await res.text();
        assert.equal(res.headers.get("content-length"), String(Buffer.byteLength(text)));
        assert.ok(text.startsWith("[") && text.endsWith("]"), text);
        const echoed = JSON.parse(text.slice(1, -1)) as {
          data: string;
          headers: Record<string, string>;
        };
        assert.equal(echoed.data, "MAKE ME LOUD");
        assert.equal(echoed.headers["content-length"], "12");
        // The response's content-length was left stale by the filter: the proxy fixed and said so.
        assert.ok(logs.lines("proxy").some((l) => /content-length said/.test(l)));
      },
    );
  });

  it("a filter that buffers more than Envoy's buffer limit gets 413 (request) / 500 (response)", async () => {
    await withProxy(
      { filters: [{ wasm: FILTERS, rootId: "rewrite_body" }] },
      async (proxy, logs) => {
        const big = await fetch(`${proxy.url}/anything`, {
          method: "POST",
          body: Buffer.alloc(2 << 20, 97),
        });
        assert.equal(big.status, 413);
        await big.arrayBuffer();
        const down = await fetch(`${proxy.url}/bytes/${2 << 20}`);
        assert.equal(down.status, 500);
        await down.arrayBuffer();
        const recs = logs.events
          .filter((e) => e.kind === "access")
          .map((e) => e.access!.localReply);
        assert.deepEqual(recs, [
          { filter: "rewrite_body", details: "request_payload_too_large" },
          { filter: "rewrite_body", details: "response_payload_too_large" },
        ]);
      },
    );
    await withProxy(
      { filters: [{ wasm: FILTERS, rootId: "rewrite_body" }], bufferLimit: 0 },
      async (proxy) => {
        const down = await fetch(`${proxy.url}/bytes/${2 << 20}`);
        assert.equal(down.status, 200);
        assert.equal((await down.arrayBuffer()).byteLength, (2 << 20) + 2);
      },
    );
  });

  it("streams response chunks one by one through a filter that changes each", async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const upstream = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("first chunk;");
      // The second chunk is sent only once the client has read the first through the proxy.
      void released.then(() => res.end("second chunk"));
    });
    await withProxy(
      { filters: [{ wasm: FILTERS, rootId: "chunk_upper" }], upstream: upstream.url },
      async (proxy) => {
        const res = await fetch(`${proxy.url}/stream`);
        assert.equal(res.headers.get("x-chunk-upper"), "1");
        const reader = res.body!.getReader();
        const dec = new TextDecoder();
        let seen = "";
        while (!seen.includes("FIRST CHUNK;")) {
          const { value, done } = await reader.read();
          assert.ok(!done, "the first chunk arrives before the upstream finishes");
          seen += dec.decode(value, { stream: true });
        }
        assert.equal(seen, "FIRST CHUNK;");
        release();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          seen += dec.decode(value, { stream: true });
        }
        assert.equal(seen, "FIRST CHUNK;SECOND CHUNK");
      },
      [upstream],
    );
  });

  it("streams request chunks to the upstream as they arrive", async () => {
    let gotFirst!: () => void;
    const firstArrived = new Promise<void>((r) => (gotFirst = r));
    const upstream = await startServer((req, res) => {
      let all = "";
      req.on("data", (c: Buffer) => {
        all += c.toString();
        if (all.includes("one;")) gotFirst();
      });
      req.on("end", () => res.end(`upstream got ${all}`));
    });
    await withProxy(
      { filters: [{ wasm: ADD_HEADER, rootId: "add_header" }], upstream: upstream.url },
      async (proxy) => {
        const answer = new Promise<{ status: number; body: string; hello?: string }>(
          (resolve, reject) => {
            const req = http.request(`${proxy.url}/upload`, { method: "POST" }, (res) => {
              let body = "";
              res.on("data", (c: Buffer) => (body += c.toString()));
              res.on("end", () =>
                resolve({ status: res.statusCode ?? 0, body, hello: res.headers.hello as string }),
              );
            });
            req.on("error", reject);
            req.write("one;");
            // The rest is sent only after the upstream saw the first chunk through the proxy.
            void firstArrived.then(() => req.end("two"));
          },
        );
        const r = await answer;
        assert.deepEqual(r, { status: 200, body: "upstream got one;two", hello: "world!" });
      },
      [upstream],
    );
  });

  it("passes a 10 MiB body through byte-identical in both directions", async () => {
    await withProxy(
      { filters: [{ wasm: ADD_HEADER, rootId: "add_header" }] },
      async (proxy, logs) => {
        const data = randomBytes(10 * 1024 * 1024);
        const res = await fetch(`${proxy.url}/echo`, {
          method: "POST",
          body: data,
          headers: { "content-type": "application/octet-stream" },
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("hello"), "world!");
        const back = new Uint8Array(await res.arrayBuffer());
        assert.equal(back.length, data.length);
        assert.equal(sha(back), sha(data));
        const rec = logs.events.find((e) => e.kind === "access")!.access!;
        assert.deepEqual(rec.bytes, {
          requestIn: data.length,
          requestOut: data.length,
          responseIn: data.length,
          responseOut: data.length,
        });
      },
    );
  });
});

describe("dev proxy: HTTP details", () => {
  it("passes trailers both ways, HEAD answers and a body while a callout pauses the request", async () => {
    const upstream = await startServer((req, res) => {
      void readBody(req).then((body) => {
        if (req.url === "/trailers") {
          res.writeHead(200, { "content-type": "text/plain", trailer: "x-sum" });
          res.write(`got ${body.length} trailers=${JSON.stringify(req.trailers)}`);
          res.addTrailers({ "x-sum": "42" });
          res.end();
        } else {
          res.writeHead(200, { "content-length": "5" });
          res.end(req.method === "HEAD" ? undefined : body.toString().slice(0, 5).padEnd(5, "."));
        }
      });
    });
    const send = (
      method: string,
      path: string,
      chunks: string[],
      trailers?: Record<string, string>,
    ) =>
      new Promise<{
        status: number;
        headers: http.IncomingHttpHeaders;
        body: string;
        trailers: object;
      }>((resolve, reject) => {
        const r = http.request(`${proxyUrl}${path}`, { method }, (res) => {
          let b = "";
          res.on("data", (c: Buffer) => (b += c.toString()));
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: b,
              trailers: res.trailers,
            }),
          );
        });
        r.on("error", reject);
        if (trailers) r.setHeader("trailer", Object.keys(trailers).join(","));
        for (const c of chunks) r.write(c);
        if (trailers) r.addTrailers(trailers);
        r.end();
      });
    let proxyUrl = "";
    await withProxy(
      {
        filters: [
          { wasm: ADD_HEADER, rootId: "add_header" },
          { wasm: FILTERS, rootId: "callout" },
        ],
        upstream: upstream.url,
        clusters: { auth: upstream.url },
      },
      async (proxy) => {
        proxyUrl = proxy.url;
        const t = await send("POST", "/trailers", ["aa", "bb"], { "x-t": "1" });
        assert.equal(t.body, `got 4 trailers={"x-t":"1"}`);
        assert.deepEqual(t.trailers, { "x-sum": "42" });
        assert.equal(t.headers.hello, "world!");
        const head = await send("HEAD", "/h", []);
        assert.deepEqual([head.status, head.headers["content-length"], head.body], [200, "5", ""]);
        const post = await send("POST", "/p", ["ab", "cd"]);
        assert.equal(post.body, "abcd.");
      },
      [upstream],
    );
  });
});

describe("dev proxy: filter decisions", () => {
  it("answers with the filter's local reply and never calls the upstream", async () => {
    const upstream = await startServer((_req, res) => res.end("upstream"));
    await withProxy(
      { filters: [{ wasm: FILTERS, rootId: "local_reply" }], upstream: upstream.url },
      async (proxy, logs) => {
        const res = await fetch(`${proxy.url}/deny/this`);
        assert.equal(res.status, 403);
        assert.equal(res.headers.get("x-filter"), "local");
        assert.equal(await res.text(), "denied\n");
        assert.equal(upstream.requests.length, 0);
        const ok = await fetch(`${proxy.url}/fine`);
        assert.equal(await ok.text(), "upstream");
        assert.equal(upstream.requests.length, 1);
        const rec = logs.events.find((e) => e.kind === "access")!.access!;
        assert.deepEqual(rec.localReply, { filter: "local_reply", details: "denied_by_filter" });
        assert.ok(logs.lines("filter").some((l) => /\[info\] .*denying \/deny\/this/.test(l)));
      },
      [upstream],
    );
  });

  it("runs filters in order: a local reply passes back through the filters before it", async () => {
    await withProxy(
      {
        filters: [
          { wasm: ADD_HEADER, rootId: "add_header" },
          { wasm: FILTERS, rootId: "local_reply" },
        ],
      },
      async (proxy) => {
        const res = await fetch(`${proxy.url}/deny`);
        assert.equal(res.status, 403);
        assert.equal(res.headers.get("hello"), "world!");
      },
    );
    await withProxy(
      {
        filters: [
          { wasm: FILTERS, rootId: "local_reply" },
          { wasm: ADD_HEADER, rootId: "add_header" },
        ],
      },
      async (proxy) => {
        const res = await fetch(`${proxy.url}/deny`);
        assert.equal(res.status, 403);
        assert.equal(res.headers.get("hello"), null, "the reply starts before add_header");
        const ok = await fetch(`${proxy.url}/headers`);
        assert.equal(ok.headers.get("hello"), "world!");
      },
    );
  });

  it("answers http callouts with a real request to a second local server", async () => {
    const auth = await startServer((req, res) => {
      const ok = (req.url ?? "").includes("for=/allowed");
      res.writeHead(ok ? 200 : 401, { "content-type": "text/plain" });
      res.end(ok ? "alice" : "nope");
    });
    await withProxy(
      { filters: [{ wasm: FILTERS, rootId: "callout" }], clusters: { auth: auth.url } },
      async (proxy, logs) => {
        const res = await fetch(`${proxy.url}/allowed/headers`);
        assert.equal(res.status, 200);
        const echoed = (await res.json()) as { headers: Record<string, string> };
        assert.equal(echoed.headers["x-auth"], "alice");
        assert.equal(auth.requests[0].url, "/check?for=/allowed/headers");
        assert.equal(auth.requests[0].headers.host, "auth");

        const denied = await fetch(`${proxy.url}/other`);
        assert.equal(denied.status, 403);
        assert.equal(await denied.text(), "auth said 401");
        assert.equal(auth.requests.length, 2);
        assert.ok(
          logs.lines("proxy").some((l) => /\[callout\] GET auth\/check\?for=\/other → 401/.test(l)),
        );
      },
      [auth],
    );
  });

  it("a callout to a cluster that is down reaches the filter as Envoy's 503", async () => {
    const gone = await startServer(() => undefined);
    await gone.close();
    await withProxy(
      { filters: [{ wasm: FILTERS, rootId: "callout" }], clusters: { auth: gone.url } },
      async (proxy) => {
        const res = await fetch(`${proxy.url}/x`);
        assert.equal(res.status, 403);
        assert.equal(await res.text(), "auth said 503");
      },
    );
  });

  it("a callout that times out reaches the filter as a 504 (on real time)", async () => {
    const silent = await startServer(() => undefined); // never answers
    await withProxy(
      {
        filters: [{ wasm: FILTERS, rootId: "callout", config: "100" }],
        clusters: { auth: silent.url },
      },
      async (proxy) => {
        const res = await fetch(`${proxy.url}/slow-auth`);
        assert.equal(res.status, 403);
        assert.equal(await res.text(), "auth said 504");
      },
      [silent],
    );
  });

  it("sends gRPC calls and streams over HTTP/2 to a local server and delivers the replies", async () => {
    const frame = (b: Buffer) => {
      const h = Buffer.alloc(5);
      h.writeUInt32BE(b.length, 1);
      return Buffer.concat([h, b]);
    };
    const seen: string[] = [];
    const server = http2.createServer();
    server.on("stream", (stream, headers) => {
      const path = String(headers[":path"]);
      seen.push(`${path} md=${String(headers["x-md"])}`);
      let buf = Buffer.alloc(0);
      stream.on("data", (c: Buffer) => (buf = Buffer.concat([buf, c])));
      stream.on("end", () => {
        const msgs: string[] = [];
        while (buf.length >= 5) {
          const n = buf.readUInt32BE(1);
          msgs.push(buf.subarray(5, 5 + n).toString());
          buf = buf.subarray(5 + n);
        }
        if (path === "/test.Echo/Fail") {
          stream.respond(
            { ":status": 200, "content-type": "application/grpc", "grpc-status": "7" },
            { endStream: true },
          );
          return;
        }
        stream.respond(
          { ":status": 200, "content-type": "application/grpc" },
          { waitForTrailers: true },
        );
        stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
        const replies =
          path === "/test.Echo/Chat" ? msgs.map((m) => `re:${m}`) : [`echo:${msgs[0]}`];
        for (const r of replies) stream.write(frame(Buffer.from(r)));
        stream.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      await withProxy(
        {
          filters: [{ wasm: FILTERS, rootId: "grpc" }],
          clusters: { grpc: `http://127.0.0.1:${port}` },
        },
        async (proxy) => {
          const say = (await (await fetch(`${proxy.url}/grpc-say`)).json()) as {
            headers: Record<string, string>;
          };
          assert.equal(say.headers["x-grpc"], "echo:/grpc-say");
          const chat = (await (await fetch(`${proxy.url}/grpc-stream`)).json()) as {
            headers: Record<string, string>;
          };
          assert.equal(chat.headers["x-grpc"], "re:one;re:two;");
          const fail = await fetch(`${proxy.url}/grpc-fail`);
          assert.equal(fail.status, 503);
          assert.equal(await fail.text(), "grpc status 7");
          assert.deepEqual(seen, [
            "/test.Echo/Say md=1",
            "/test.Echo/Chat md=s",
            "/test.Echo/Fail md=1",
          ]);
        },
      );
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
    // A gRPC cluster nobody listens on: Unavailable (14) reaches the filter.
    await withProxy(
      {
        filters: [{ wasm: FILTERS, rootId: "grpc" }],
        clusters: { grpc: `http://127.0.0.1:${port}` },
      },
      async (proxy) => {
        const res = await fetch(`${proxy.url}/grpc-say`);
        assert.equal(res.status, 503);
        assert.equal(await res.text(), "grpc status 14");
      },
    );
  });

  it("a trap fails the request closed (503) and the next request gets a fresh VM", async () => {
    await withProxy({ filters: [{ wasm: FILTERS, rootId: "trap" }] }, async (proxy, logs) => {
      const ok1 = await fetch(`${proxy.url}/headers`);
      assert.equal(ok1.headers.get("x-trap-filter"), "alive");
      const bad = await fetch(`${proxy.url}/trap`);
      assert.equal(bad.status, 503);
      await bad.arrayBuffer();
      const rec = logs.events.filter((e) => e.kind === "access")[1].access!;
      assert.deepEqual(rec.localReply, { filter: "trap", details: "wasm_fail_stream" });
      assert.ok(logs.events.some((e) => e.kind === "filter" && e.level === "critical"));
      // The next request (with a body, held while the VM is replaced) succeeds.
      const ok2 = await fetch(`${proxy.url}/echo`, { method: "POST", body: "after the trap" });
      assert.equal(ok2.status, 200);
      assert.equal(ok2.headers.get("x-trap-filter"), "alive");
      assert.equal(await ok2.text(), "after the trap");
      assert.ok(logs.lines("proxy").some((l) => /loaded a fresh VM/.test(l)));
      // The trapped VM was dropped, not kept beside its replacement.
      assert.equal(proxy.emulator!.vms.length, 1);
    });
  });

  it("a trap on the response path answers 503 directly, skipping the filters before it", async () => {
    await withProxy(
      {
        filters: [
          { wasm: ADD_HEADER, rootId: "add_header" },
          { wasm: FILTERS, rootId: "trap" },
        ],
      },
      async (proxy, logs) => {
        const bad = await fetch(`${proxy.url}/trap-response`);
        assert.equal(bad.status, 503);
        assert.equal(bad.headers.get("hello"), null, "Envoy's direct local reply");
        await bad.arrayBuffer();
        const rec = logs.events.find((e) => e.kind === "access")!.access!;
        assert.deepEqual(rec.localReply, { filter: "trap", details: "wasm_fail_stream" });
        const ok = await fetch(`${proxy.url}/headers`);
        assert.equal(ok.status, 200);
        assert.equal(ok.headers.get("hello"), "world!");
        assert.equal(ok.headers.get("x-trap-filter"), "alive");
      },
    );
  });

  it("onTrap closed keeps the VM failed (Envoy FAIL_CLOSED); fail-open lets requests through", async () => {
    await withProxy(
      { filters: [{ wasm: FILTERS, rootId: "trap", onTrap: "closed" }] },
      async (proxy) => {
        assert.equal((await fetch(`${proxy.url}/trap`)).status, 503);
        assert.equal((await fetch(`${proxy.url}/headers`)).status, 503);
      },
    );
    await withProxy(
      { filters: [{ wasm: FILTERS, rootId: "trap", failOpen: true }] },
      async (proxy) => {
        const res = await fetch(`${proxy.url}/trap`);
        assert.equal(res.status, 200);
      },
    );
  });
});

describe("dev proxy: ticks, shared data and queues", () => {
  it("ticks on real time (shared data counts them)", async () => {
    await withProxy({ filters: [{ wasm: FILTERS, rootId: "ticker" }] }, async (proxy) => {
      let ticks = 0;
      for (let i = 0; i < 250 && ticks < 3; i++) {
        await sleep(20);
        const res = await fetch(`${proxy.url}/status/200`);
        ticks = Number(res.headers.get("x-ticks"));
      }
      assert.ok(ticks >= 3, `ticks seen: ${ticks}`);
    });
  });

  it("shares queues and data between filters in different VMs of one vm_id", async () => {
    await withProxy(
      {
        filters: [
          { wasm: FILTERS, rootId: "consumer", vmId: "q", vmConfig: "a" },
          { wasm: FILTERS, rootId: "producer", vmId: "q", vmConfig: "b" },
        ],
      },
      async (proxy) => {
        assert.equal(proxy.emulator!.vms.length, 2);
        const first = await fetch(`${proxy.url}/first`);
        assert.equal(first.headers.get("x-last-path"), "/first");
        const second = await fetch(`${proxy.url}/second`);
        assert.equal(second.headers.get("x-last-path"), "/second");
      },
    );
  });

  it("runs services (bootstrap plugins) beside the chain: a queue from a filter to a service", async () => {
    await withProxy(
      {
        services: [{ wasm: FILTERS, rootId: "consumer", vmId: "svc" }],
        filters: [{ wasm: FILTERS, rootId: "producer", vmId: "svc" }],
      },
      async (proxy) => {
        assert.equal(proxy.emulator!.plugins.length, 2);
        const res = await fetch(`${proxy.url}/via-service`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("x-last-path"), null, "the service is not in the chain");
        assert.equal(
          proxy.emulator!.sharedData.get("last_path", "svc")?.value.toString(),
          "/via-service",
        );
      },
    );
  });

  it("filters with the same code and vm_id share one VM", async () => {
    await withProxy(
      {
        filters: [
          { wasm: FILTERS, rootId: "consumer" },
          { wasm: FILTERS, rootId: "producer" },
          { wasm: ADD_HEADER, rootId: "add_header" },
        ],
      },
      async (proxy) => {
        assert.equal(proxy.emulator!.vms.length, 2);
        assert.equal(proxy.emulator!.plugins.length, 3);
        const res = await fetch(`${proxy.url}/p`);
        assert.equal(res.headers.get("x-last-path"), "/p");
        assert.equal(res.headers.get("hello"), "world!");
      },
    );
  });
});

describe("dev proxy: --watch", () => {
  it("serves the new build after the .wasm file changes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "proxy-watch-"));
    const file = join(dir, "filter.wasm");
    copyFileSync(FILTERS, file);
    try {
      await withProxy(
        { filters: [{ wasm: file, rootId: "trap" }], watch: true },
        async (proxy, logs) => {
          const before = await fetch(`${proxy.url}/headers`);
          assert.equal(before.headers.get("x-trap-filter"), "alive");
          const first = proxy.emulator;
          // The add_header module has no root id "trap": it falls back to its only root.
          copyFileSync(ADD_HEADER, file);
          let hello: string | null = null;
          for (let i = 0; i < 150 && hello === null; i++) {
            await sleep(40);
            hello = (await fetch(`${proxy.url}/headers`)).headers.get("hello");
          }
          assert.equal(hello, "world!");
          assert.notEqual(proxy.emulator, first);
          assert.ok(
            logs
              .lines("proxy")
              .some((l) => /changed on disk; new requests use the new build/.test(l)),
          );
        },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("dev proxy: robustness", () => {
  it("answers 1000 concurrent requests", async () => {
    await withProxy(
      { filters: [{ wasm: ADD_HEADER, rootId: "add_header" }] },
      async (proxy, logs) => {
        const results = await Promise.all(
          Array.from({ length: 1000 }, async (_, i) => {
            const res = await fetch(`${proxy.url}/anything/${i}`);
            const body = (await res.json()) as { url: string };
            return (
              res.status === 200 &&
              res.headers.get("hello") === "world!" &&
              body.url === `/anything/${i}`
            );
          }),
        );
        assert.equal(results.filter(Boolean).length, 1000);
        assert.equal(logs.events.filter((e) => e.kind === "access").length, 1000);
      },
    );
  });

  it("answers a malformed request with 400 and keeps serving", async () => {
    await withProxy(
      { filters: [{ wasm: ADD_HEADER, rootId: "add_header" }] },
      async (proxy, logs) => {
        const reply = await rawExchange(proxy.port, "THIS IS NOT HTTP\r\n\x00\x01\r\n\r\n");
        assert.match(reply, /^HTTP\/1\.1 400 /);
        const noHost = await rawExchange(proxy.port, "GET / HTTP/1.1\r\nfoo bar\r\n\r\n");
        assert.match(noHost, /^HTTP\/1\.1 400 /);
        assert.ok(logs.lines("access").some((l) => /malformed request/.test(l)));
        const res = await fetch(`${proxy.url}/headers`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("hello"), "world!");
      },
    );
  });

  it("an unreachable upstream is Envoy's 503, through the filters", async () => {
    const gone = await startServer(() => undefined);
    await gone.close();
    await withProxy(
      { filters: [{ wasm: ADD_HEADER, rootId: "add_header" }], upstream: gone.url },
      async (proxy) => {
        const res = await fetch(`${proxy.url}/x`);
        assert.equal(res.status, 503);
        assert.equal(res.headers.get("hello"), "world!");
        assert.match(await res.text(), /upstream connect error/);
      },
    );
  });

  it("sends a request again when a kept-alive upstream connection turns out closed", async () => {
    const perSocket = new WeakMap<object, number>();
    const upstream = await startServer((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      // The second request on a connection finds it closed, as after an idle timeout.
      if (n === 2) req.socket.destroy();
      else res.end(`ok ${req.url}`);
    });
    await withProxy(
      { filters: [{ wasm: ADD_HEADER, rootId: "add_header" }], upstream: upstream.url },
      async (proxy) => {
        assert.equal(await (await fetch(`${proxy.url}/one`)).text(), "ok /one");
        const again = await fetch(`${proxy.url}/two`, { method: "POST", body: "body" });
        assert.equal(again.status, 200);
        assert.equal(await again.text(), "ok /two");
        assert.equal(upstream.requests.length, 3);
      },
      [upstream],
    );
  });

  it("routes by prefix and answers 404 where no route matches", async () => {
    const api = await startServer((req, res) => res.end(`api saw ${req.url}`));
    await withProxy(
      {
        filters: [{ wasm: ADD_HEADER, rootId: "add_header" }],
        clusters: { api: api.url },
        routes: [{ prefix: "/api/", cluster: "api", prefixRewrite: "/" }],
      },
      async (proxy) => {
        const res = await fetch(`${proxy.url}/api/users?id=1`);
        assert.equal(await res.text(), "api saw /users?id=1");
        const none = await fetch(`${proxy.url}/elsewhere`);
        assert.equal(none.status, 404);
        assert.equal(none.headers.get("hello"), "world!");
        assert.equal(proxy.echoUrl, null);
      },
      [api],
    );
  });
});
