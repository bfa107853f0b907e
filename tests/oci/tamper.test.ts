// A registry that lies: a tiny HTTP server serving manifests and blobs that do not match their
// digests. Every one is caught with "digest mismatch for …" and nothing is written.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildImage } from "../../src/oci/image.js";
import { MediaType, sha256Digest } from "../../src/oci/types.js";
import { cli, tempDir, tinyWasm } from "./helpers.js";

const image = buildImage({ wasm: tinyWasm("tamper"), variant: "oci" });
const layer = image.manifest.layers[0];
let server: Server;
let host: string;
let dir: { path: string; remove(): Promise<void> };

before(async () => {
  dir = await tempDir();
  server = createServer((req, res) => {
    const url = req.url ?? "";
    if (url === "/v2/") return void res.writeHead(200).end("{}");
    const send = (body: Buffer, headers: Record<string, string> = {}) =>
      res.writeHead(200, { "content-length": String(body.length), ...headers }).end(body);
    const manifestHeaders = { "content-type": MediaType.ociManifest };
    // honest manifest, tampered wasm layer (same size)
    if (url === "/v2/bad/blob/manifests/v1") {
      return send(image.manifestBytes, {
        ...manifestHeaders,
        "docker-content-digest": image.manifestDigest,
      });
    }
    if (url === `/v2/bad/blob/blobs/${layer.digest}`) {
      const bytes = Buffer.from(image.blobs.get(layer.digest)!);
      bytes[bytes.length - 1] ^= 1;
      return send(bytes);
    }
    // a manifest asked for by digest whose bytes hash to something else
    if (url === `/v2/bad/manifest/manifests/${image.manifestDigest}`) {
      return send(Buffer.concat([image.manifestBytes, Buffer.from(" ")]), manifestHeaders);
    }
    // a tag whose Docker-Content-Digest header disagrees with the bytes
    if (url === "/v2/bad/header/manifests/v1") {
      return send(image.manifestBytes, {
        ...manifestHeaders,
        "docker-content-digest": sha256Digest(Buffer.from("x")),
      });
    }
    res
      .writeHead(404, { "content-type": "application/json" })
      .end('{"errors":[{"code":"NOT_FOUND"}]}');
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  host = `127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
});
after(async () => {
  await new Promise((r) => server.close(r));
  await dir.remove();
});

describe("pull from a registry serving corrupted content", () => {
  it("rejects a blob whose content does not match its digest", async () => {
    const out = join(dir.path, "blob.wasm");
    const r = await cli(["pull", `${host}/bad/blob:v1`, "--insecure", "--out", out]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(`digest mismatch for blob ${layer.digest} from ${host}/bad/blob`),
    );
    assert.equal(existsSync(out), false, "nothing written");
  });

  it("rejects a manifest pulled by digest whose bytes hash differently", async () => {
    const r = await cli(["pull", `${host}/bad/manifest@${image.manifestDigest}`, "--insecure"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`digest mismatch for manifest ${image.manifestDigest}`));
  });

  it("rejects a manifest whose Docker-Content-Digest header disagrees", async () => {
    const r = await cli(["pull", `${host}/bad/header:v1`, "--insecure"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /digest mismatch for manifest v1/);
  });
});
