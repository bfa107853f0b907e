// Registries that misbehave on purpose, as small node:http servers on 127.0.0.1 (no
// docker-registry needed): blobs larger than they are declared, oversized manifests, gzip bombs,
// upload locations and token services elsewhere or over plain HTTP, and error bodies that echo
// the credentials. pull/push must stop early, keep credentials to the registry, and print
// nothing secret.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { buildImage, reproducibleGzip } from "../../src/oci/image.js";
import { parseReference } from "../../src/oci/reference.js";
import { RegistryClient, redactSecrets } from "../../src/oci/registry.js";
import { writeTar } from "../../src/oci/tar.js";
import { pullWasm } from "../../src/oci/transfer.js";
import { MediaType, canonicalJson, sha256Digest, type Descriptor } from "../../src/oci/types.js";
import { cleanEnv, cli, tempDir, tinyWasm } from "./helpers.js";
import { toolSkip } from "../tools.js";

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => unknown;

interface Fake {
  origin: string;
  host: string;
  /** Every request: method, path and the Authorization header it carried. */
  seen: { method: string; url: string; authorization?: string }[];
  close(): Promise<void>;
}

async function listen(
  server: Server,
  scheme: "http" | "https",
  hostname = "127.0.0.1",
): Promise<Fake & { server: Server }> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    server,
    origin: `${scheme}://${hostname}:${port}`,
    host: `${hostname}:${port}`,
    seen: [],
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function serve(
  handler: Handler,
  tls?: { key: Buffer; cert: Buffer },
  hostname?: string,
): Promise<Fake> {
  let fake: Fake;
  const wrapped = async (req: IncomingMessage, res: ServerResponse) => {
    fake.seen.push({
      method: req.method ?? "",
      url: req.url ?? "",
      authorization: req.headers.authorization,
    });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      await handler(req, res, Buffer.concat(chunks));
    } catch (err) {
      if (!res.headersSent) res.writeHead(500).end(String(err));
    }
  };
  const server = tls
    ? (createHttpsServer({ ...tls }, wrapped) as unknown as Server)
    : createServer(wrapped);
  return listen(server, tls ? "https" : "http", hostname).then((f) => (fake = f));
}

const json = (res: ServerResponse, status: number, value: unknown, headers = {}) =>
  res
    .writeHead(status, { "content-type": "application/json", ...headers })
    .end(JSON.stringify(value));

/** Writes `total` bytes of zeros in 64 KiB chunks, honouring backpressure; resolves with what was sent. */
async function streamZeros(
  res: ServerResponse,
  total: number,
): Promise<{ sent: number; aborted: boolean }> {
  const chunk = Buffer.alloc(64 * 1024);
  let sent = 0;
  let aborted = false;
  res.once("close", () => (aborted = sent < total));
  while (sent < total && !res.destroyed) {
    const n = Math.min(chunk.length, total - sent);
    const ok = res.write(n === chunk.length ? chunk : chunk.subarray(0, n));
    sent += n;
    if (!ok) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off("drain", done);
          res.off("close", done);
          resolve();
        };
        res.on("drain", done);
        res.on("close", done);
      });
    }
  }
  if (!res.destroyed) res.end();
  return { sent, aborted: aborted || res.destroyed };
}

const user = "hostile-user";
const password = "s3cret-Passw0rd-xyz";
const basic = "Basic " + Buffer.from(`${user}:${password}`).toString("base64");
const withCreds = () =>
  cleanEnv({ PROXY_WASM_AS_REGISTRY_USER: user, PROXY_WASM_AS_REGISTRY_PASSWORD: password });

let dir: { path: string; remove(): Promise<void> };
before(async () => {
  dir = await tempDir("pwa-hostile-");
});
after(() => dir?.remove());

const wasm = tinyWasm("hostile registry");
const ociImage = buildImage({ wasm, variant: "oci" });

/** A manifest (oci variant shape) whose Wasm layer descriptor is `layer`. */
function manifestWith(layer: Descriptor, config = ociImage.manifest.config): Buffer {
  return canonicalJson({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config,
    layers: [layer],
  });
}

/** A compat-shaped manifest with one tar+gzip layer. */
function compatManifest(layer: Buffer): Buffer {
  return canonicalJson({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    config: ociImage.manifest.config,
    layers: [
      { mediaType: MediaType.ociLayerGzip, digest: sha256Digest(layer), size: layer.length },
    ],
  });
}

function client(host: string, options: { credentials?: null } = { credentials: null }) {
  return new RegistryClient(parseReference(`${host}/evil/img:v1`), ["pull"], {
    insecure: true,
    ...options,
  });
}

describe("blobs and manifests larger than declared", () => {
  const lyingSize = 64 * 1024 * 1024;
  let fake: Fake;
  let streamed: Promise<{ sent: number; aborted: boolean }> | undefined;
  const realLayer = ociImage.manifest.layers[0];
  before(async () => {
    fake = await serve(async (req, res) => {
      const url = req.url ?? "";
      if (url === "/v2/evil/img/manifests/v1") {
        // the Wasm layer is declared as 100 bytes
        const m = manifestWith({ ...realLayer, size: 100 });
        return void res.writeHead(200, { "content-type": MediaType.ociManifest }).end(m);
      }
      if (url === "/v2/evil/big/manifests/v1") {
        // a 5 MiB "manifest", streamed without a Content-Length
        res.writeHead(200, { "content-type": MediaType.ociManifest });
        streamed = streamZeros(res, 5 * 1024 * 1024);
        return;
      }
      if (url === `/v2/evil/img/blobs/${realLayer.digest}`) {
        res.writeHead(200, { "content-type": "application/octet-stream" }); // chunked, no length
        streamed = streamZeros(res, lyingSize);
        await streamed;
        return;
      }
      if (url === `/v2/evil/img/blobs/${ociImage.manifest.config.digest}`) {
        return void res.writeHead(200).end(ociImage.blobs.get(ociImage.manifest.config.digest));
      }
      json(res, 404, { errors: [{ code: "NOT_FOUND" }] });
    });
  });
  after(() => fake.close());

  it("stops reading a blob as soon as it exceeds its declared size", async () => {
    streamed = undefined;
    const out = join(dir.path, "lying.wasm");
    const r = await cli(["pull", `${fake.host}/evil/img:v1`, "--insecure", "--out", out]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /size mismatch for blob sha256:[0-9a-f]{64} .*expected 100 bytes, the registry sends more/,
    );
    assert.equal(existsSync(out), false, "nothing written");
    const result = await streamed!;
    assert.ok(result.aborted, "the client hung up before the end");
    assert.ok(result.sent < lyingSize / 2, `only the start was sent (${result.sent} bytes)`);
  });

  it("removes the partial file when a streamed download fails", async () => {
    const c = client(fake.host);
    const target = join(dir.path, "partial-blob");
    await assert.rejects(c.downloadBlob({ ...realLayer, size: 100 }, target, 1024), /sends more/);
    assert.equal(existsSync(target), false, "partial file removed");
    // and a blob declared larger than allowed is refused before any request
    const before = fake.seen.length;
    await assert.rejects(
      c.downloadBlob({ ...realLayer, size: 2048 }, target, 1024),
      /declared as 2048 bytes .*more than the 1\.0 KiB accepted/,
    );
    assert.equal(fake.seen.length, before, "no request made");
  });

  it("refuses a manifest larger than 4 MiB", async () => {
    const r = await cli(["pull", `${fake.host}/evil/big:v1`, "--insecure"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /manifest v1 from .* is larger than 4\.0 MiB; refusing it/);
  });
});

describe("compression bombs and oversized modules", () => {
  let fake: Fake;
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, Buffer>();
  const add = (tag: string, manifest: Buffer, ...layerBlobs: Buffer[]) => {
    manifests.set(tag, manifest);
    for (const b of layerBlobs) blobs.set(sha256Digest(b), b);
  };
  before(async () => {
    fake = await serve((req, res) => {
      const m = /^\/v2\/evil\/img\/(manifests|blobs)\/(.+)$/.exec(req.url ?? "");
      const body = m && (m[1] === "manifests" ? manifests.get(m[2]) : blobs.get(m[2]));
      if (!body) return json(res, 404, { errors: [{ code: "NOT_FOUND" }] });
      res
        .writeHead(200, {
          "content-type": MediaType.ociManifest,
          "content-length": String(body.length),
        })
        .end(body);
    });
    blobs.set(
      ociImage.manifest.config.digest,
      ociImage.blobs.get(ociImage.manifest.config.digest)!,
    );
  });
  after(() => fake.close());

  it("refuses plugin.wasm larger than the bound as soon as its tar header says so", async () => {
    // A gzip whose tar header declares a 300 MiB plugin.wasm: only 1 MiB of it is there, and
    // nothing past the header needs to be read.
    const header = writeTar([{ name: "plugin.wasm", data: Buffer.alloc(0) }]).subarray(0, 512);
    header.write((300 * 1024 * 1024).toString(8).padStart(11, "0") + "\0", 124, "ascii");
    header.fill(0x20, 148, 156);
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "ascii");
    const layer = gzipSync(Buffer.concat([header, Buffer.alloc(1024 * 1024)]));
    add("huge-plugin", compatManifest(layer), layer);
    const r = await cli([
      "pull",
      `${fake.host}/evil/img:huge-plugin`,
      "--insecure",
      "--out",
      join(dir.path, "huge.wasm"),
    ]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /plugin\.wasm in layer sha256:[0-9a-f]{64} is 314572800 bytes \(300\.0 MiB\), more than the 256\.0 MiB accepted for a Wasm module/,
    );
  });

  it("caps what a layer may inflate to, and the size of plugin.wasm (library options)", async () => {
    const big = Buffer.alloc(2 * 1024 * 1024);
    big.set(wasm);
    const tar = writeTar([
      { name: "filler.bin", data: Buffer.alloc(3 * 1024 * 1024) },
      { name: "plugin.wasm", data: big },
    ]);
    const layer = reproducibleGzip(tar);
    assert.ok(layer.length < 64 * 1024, "a small layer that inflates 80-fold");
    add("bomb", compatManifest(layer), layer);
    const c = () =>
      new RegistryClient(parseReference(`${fake.host}/evil/img:bomb`), ["pull"], {
        insecure: true,
        credentials: null,
      });
    await assert.rejects(
      pullWasm(c(), undefined, { maxLayerBytes: 1024 * 1024 }),
      /layer sha256:[0-9a-f]{64} inflates to more than 1\.0 MiB; refusing it/,
    );
    await assert.rejects(
      pullWasm(c(), undefined, { maxWasmBytes: 1024 * 1024 }),
      /plugin\.wasm in layer .* is 2097152 bytes \(2\.0 MiB\), more than the 1\.0 MiB accepted/,
    );
    // within the bounds the same image pulls, skipping the filler
    const pulled = await pullWasm(c());
    assert.deepEqual(pulled.wasm, big);
  });

  it("refuses a Wasm layer declared larger than the bound without downloading it", async () => {
    const layer = { ...ociImage.manifest.layers[0], size: 300 * 1024 * 1024 };
    add("declared-huge", manifestWith(layer));
    const before = fake.seen.length;
    const r = await cli(["pull", `${fake.host}/evil/img:declared-huge`, "--insecure"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /declared as 314572800 bytes \(300\.0 MiB\), more than the 256\.0 MiB accepted/,
    );
    assert.ok(
      !fake.seen.slice(before).some((s) => s.url.includes(layer.digest)),
      "the layer was never requested",
    );
  });
});

describe("credentials stay with the registry", () => {
  let registry: Fake;
  let storage: Fake;
  const uploads = new Map<string, Buffer>();
  before(async () => {
    // The storage service: another host (localhost, not 127.0.0.1) and another port.
    storage = await serve(
      (req, res, body) => {
        const url = new URL(req.url ?? "/", "http://x");
        if (req.method === "PUT" && url.pathname.startsWith("/upload/")) {
          uploads.set(url.searchParams.get("digest") ?? "", body);
          return void res.writeHead(201).end();
        }
        if (req.method === "GET" && url.pathname === "/blob") {
          return void res.writeHead(200).end(ociImage.blobs.get(url.searchParams.get("d") ?? ""));
        }
        res.writeHead(404).end();
      },
      undefined,
      "localhost",
    );
    registry = await serve((req, res) => {
      if (req.headers.authorization !== basic) {
        return json(
          res,
          401,
          { errors: [{ code: "UNAUTHORIZED" }] },
          {
            "www-authenticate": 'Basic realm="hostile"',
          },
        );
      }
      const url = req.url ?? "";
      if (req.method === "HEAD" && url.includes("/blobs/")) return void res.writeHead(404).end();
      if (req.method === "POST" && url.endsWith("/blobs/uploads/")) {
        return void res.writeHead(202, { location: `${storage.origin}/upload/1?state=x` }).end();
      }
      if (req.method === "PUT" && url.includes("/manifests/")) {
        return void res.writeHead(201).end();
      }
      if (req.method === "GET" && url === "/v2/evil/img/manifests/v1") {
        return void res
          .writeHead(200, { "content-type": MediaType.ociManifest })
          .end(ociImage.manifestBytes);
      }
      const blob = /\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url);
      if (req.method === "GET" && blob) {
        return void res.writeHead(307, { location: `${storage.origin}/blob?d=${blob[1]}` }).end();
      }
      json(res, 404, { errors: [{ code: "NOT_FOUND" }] });
    });
  });
  after(async () => {
    await registry.close();
    await storage.close();
  });

  it("uploads to a location on another host without the credentials", async () => {
    const wasmPath = join(dir.path, "upload.wasm");
    writeFileSync(wasmPath, wasm);
    const r = await cli(
      [
        "push",
        "--wasm",
        wasmPath,
        "--variant",
        "oci",
        `${registry.host}/evil/img:v1`,
        "--insecure",
      ],
      {
        env: withCreds(),
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(uploads.size, 2, "both blobs reached the storage service");
    assert.ok(
      registry.seen.some((s) => s.authorization === basic),
      "the registry got the credentials",
    );
    assert.deepEqual(
      storage.seen.filter((s) => s.authorization !== undefined),
      [],
      "the storage service got no credentials",
    );
  });

  it("follows a blob redirect to another host without the credentials", async () => {
    const out = join(dir.path, "redirected.wasm");
    const r = await cli(["pull", `${registry.host}/evil/img:v1`, "--insecure", "--out", out], {
      env: withCreds(),
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readFileSync(out), wasm);
    assert.deepEqual(
      storage.seen.filter((s) => s.authorization !== undefined),
      [],
    );
  });
});

describe("a token service over plain HTTP", { skip: toolSkip("openssl", "openssl") }, () => {
  let registry: Fake;
  let tokens: Fake;
  let certFile: string;
  before(async () => {
    const key = join(dir.path, "tls-key.pem");
    certFile = join(dir.path, "tls-cert.pem");
    const made = spawnSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        key,
        "-out",
        certFile,
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-days",
        "2",
      ],
      { encoding: "utf8" },
    );
    assert.equal(made.status, 0, made.stderr);
    tokens = await serve((_req, res) => json(res, 200, { token: "tok-from-plain-http" }));
    registry = await serve(
      (req, res) => {
        if (req.headers.authorization !== "Bearer tok-from-plain-http") {
          return json(
            res,
            401,
            { errors: [{ code: "UNAUTHORIZED" }] },
            {
              "www-authenticate": `Bearer realm="${tokens.origin}/token",service="hostile"`,
            },
          );
        }
        json(res, 404, { errors: [{ code: "NOT_FOUND" }] });
      },
      { key: readFileSync(key), cert: readFileSync(certFile) },
    );
  });
  after(async () => {
    await registry?.close();
    await tokens?.close();
  });

  it("is refused for an HTTPS registry: the credentials never travel in clear", async () => {
    const r = await cli(["pull", `${registry.host}/evil/img:v1`], {
      env: { ...withCreds(), NODE_EXTRA_CA_CERTS: certFile },
    });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /sends us to the token service http:\/\/127\.0\.0\.1:\d+ over plain HTTP; refusing to send the credentials/,
    );
    assert.deepEqual(tokens.seen, [], "the token service was never asked");
  });
});

describe("error bodies are redacted", () => {
  let registry: Fake;
  let tokenService: Fake;
  const token = "eyJhbGciOi.tok-secret-value.sig";
  before(async () => {
    tokenService = await serve((req, res) =>
      req.headers.authorization === basic
        ? json(res, 200, { token, access_token: token })
        : json(res, 401, {}),
    );
    registry = await serve((req, res) => {
      const url = req.url ?? "";
      const auth = req.headers.authorization ?? "";
      const echo = (status: number) =>
        res
          .writeHead(status, { "content-type": "text/plain" })
          .end(
            `request rejected\nAuthorization: ${auth}\nyour password is ${password}\n` +
              JSON.stringify({ token, password }) +
              "\n" +
              "x".repeat(5000),
          );
      if (url.startsWith("/v2/basic/")) {
        if (auth !== basic) {
          return json(res, 401, {}, { "www-authenticate": 'Basic realm="x"' });
        }
        if (url.includes("/manifests/json")) {
          return json(res, 500, {
            errors: [{ code: "BROKEN", message: `saw Authorization: ${auth}`, detail: { token } }],
          });
        }
        return echo(500);
      }
      if (auth !== `Bearer ${token}`) {
        return json(
          res,
          401,
          {},
          { "www-authenticate": `Bearer realm="${tokenService.origin}/token"` },
        );
      }
      echo(400);
    });
  });
  after(async () => {
    await registry.close();
    await tokenService.close();
  });

  const leaks = (text: string) =>
    [password, basic.slice(6), token, "tok-secret-value"].filter((s) => text.includes(s));

  for (const [what, repo] of [
    ["a text body echoing basic credentials", "basic/img:v1"],
    ["a JSON errors body echoing basic credentials", "basic/img:json"],
    ["a body echoing the bearer token", "bearer/img:v1"],
  ] as const) {
    it(`prints ${what} without them, and short`, async () => {
      const r = await cli(["pull", `${registry.host}/${repo}`, "--insecure"], { env: withCreds() });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /answered (400|500) while fetching manifest/);
      assert.deepEqual(leaks(r.stderr + r.stdout), [], r.stderr);
      assert.match(r.stderr, /\[redacted\]/);
      assert.ok(r.stderr.length < 1200, `the error is cut short (${r.stderr.length} characters)`);
    });
  }

  it("redactSecrets covers the usual shapes", () => {
    const text = redactSecrets(
      'Authorization: Bearer abc.def\n{"access_token":"zzz","password":"p\\"w"} Basic dXNlcjpwYXNz ?token=qq&x=1 mine',
      ["mine-is-long", "mine"],
    );
    assert.doesNotMatch(text, /abc\.def|zzz|p\\"w|dXNlcjpwYXNz|qq|mine/);
    assert.match(text, /x=1/);
  });
});
