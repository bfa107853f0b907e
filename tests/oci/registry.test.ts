// push / pull against a real registry (Debian's docker-registry on 127.0.0.1): both variants,
// by tag and by digest, image indexes and Docker-shaped images, and the clear errors.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildImage, reproducibleGzip } from "../../src/oci/image.js";
import { parseReference } from "../../src/oci/reference.js";
import { RegistryClient } from "../../src/oci/registry.js";
import { pushImage, pullWasm } from "../../src/oci/transfer.js";
import { writeTar } from "../../src/oci/tar.js";
import { MediaType, canonicalJson, sha256Digest, type ImageManifest } from "../../src/oci/types.js";
import {
  blobDataPath,
  cli,
  freePort,
  sharedRegistry,
  tempDir,
  tinyWasm,
  uniqueRepo,
  type Registry,
} from "./helpers.js";
import { toolSkip } from "../tools.js";

let registry: Registry;
let dir: { path: string; remove(): Promise<void> };

function writeWasm(name: string, payload?: string): { path: string; bytes: Buffer } {
  const bytes = tinyWasm(payload);
  const path = join(dir.path, name);
  writeFileSync(path, bytes);
  return { path, bytes };
}

interface PushJson {
  reference: string;
  digest: string;
  blobsUploaded: number;
  blobsSkipped: number;
}
interface PullJson {
  digest: string;
  manifestDigest: string;
  shape: string;
  wasmSha256: string;
  size: number;
}

async function ok(args: string[]) {
  const r = await cli(args);
  assert.equal(r.code, 0, `proxy-wasm-as ${args.join(" ")}\n${r.stderr}`);
  return r;
}

describe(
  "push and pull against docker-registry",
  { skip: toolSkip("docker-registry", "docker-registry") },
  () => {
    before(async () => {
      dir = await tempDir();
      registry = await sharedRegistry();
    });
    // A before-hook that failed leaves these unset: nothing to stop, and no second error.
    after(async () => {
      await registry?.stop();
      await dir?.remove();
    });

    for (const variant of ["compat", "oci"]) {
      it(`pushes the ${variant} variant and pulls back the same plugin.wasm`, async () => {
        const wasm = writeWasm(`${variant}.wasm`);
        const layout = join(dir.path, `${variant}-layout`);
        const built = JSON.parse(
          (
            await ok([
              "image",
              "--wasm",
              wasm.path,
              "--variant",
              variant,
              "--out",
              layout,
              "--json",
            ])
          ).stdout,
        ) as { digest: string };
        const ref = `${registry.host}/${uniqueRepo(variant)}:v1`;
        const pushed = JSON.parse(
          (await ok(["push", layout, ref, "--insecure", "--json"])).stdout,
        ) as PushJson;
        assert.equal(pushed.digest, built.digest, "the registry stores the manifest we built");
        assert.equal(pushed.blobsUploaded, 2);
        const out = join(dir.path, `${variant}-pulled.wasm`);
        const r = await ok(["pull", ref, "--insecure", "--out", out, "--json"]);
        const pulled = JSON.parse(r.stdout) as PullJson;
        assert.deepEqual(readFileSync(out), wasm.bytes, "byte-identical plugin.wasm");
        assert.equal(pulled.digest, built.digest);
        assert.equal(pulled.shape, variant);
        assert.equal(pulled.wasmSha256, sha256Digest(wasm.bytes));
        assert.match(r.stderr, /fetching/, "progress goes to stderr");

        // by digest, too
        const byDigest = `${registry.host}/${ref.split("/")[1].split(":")[0]}@${built.digest}`;
        const out2 = join(dir.path, `${variant}-by-digest.wasm`);
        await ok(["pull", byDigest, "--insecure", "--out", out2, "--quiet"]);
        assert.deepEqual(readFileSync(out2), wasm.bytes);
      });
    }

    it("pushes straight from --wasm, skips blobs the registry has, and pushes a layout tar", async () => {
      const wasm = writeWasm("onthefly.wasm");
      const ref = `${registry.host}/${uniqueRepo("onthefly")}:v2`;
      const first = JSON.parse(
        (await ok(["push", "--wasm", wasm.path, "--variant", "oci", ref, "--insecure", "--json"]))
          .stdout,
      ) as PushJson;
      assert.equal(first.blobsUploaded, 2);
      const second = JSON.parse(
        (await ok(["push", "--wasm", wasm.path, "--variant", "oci", ref, "--insecure", "--json"]))
          .stdout,
      ) as PushJson;
      assert.equal(second.blobsSkipped, 2);
      assert.equal(second.digest, first.digest);
      const tar = join(dir.path, "onthefly.tar");
      await ok(["image", "--wasm", wasm.path, "--variant", "oci", "--out", tar]);
      const third = JSON.parse(
        (await ok(["push", tar, ref, "--insecure", "--json"])).stdout,
      ) as PushJson;
      assert.equal(third.digest, first.digest);
      const out = join(dir.path, "onthefly-pulled.wasm");
      await ok(["pull", `oci://${ref}`, "--insecure", "--out", out, "--quiet"]);
      assert.deepEqual(readFileSync(out), wasm.bytes);
    });

    it("follows an image index and reads a Docker image whose layer holds plugin.wasm", async () => {
      const repo = uniqueRepo("shapes");
      const client = (tag: string) =>
        new RegistryClient(parseReference(`${registry.host}/${repo}:${tag}`), ["pull", "push"], {
          insecure: true,
          credentials: null,
        });
      // A Docker v2 schema 2 image: two layers, plugin.wasm in the second, under ./
      const wasm = tinyWasm("docker shaped");
      const layer1 = reproducibleGzip(
        writeTar([{ name: "etc" }, { name: "etc/motd", data: Buffer.from("hi") }]),
      );
      const tar2 = writeTar([
        { name: "./runtime-config.json", data: Buffer.from("{}") },
        { name: "./plugin.wasm", data: wasm },
      ]);
      const layer2 = reproducibleGzip(tar2);
      const config = canonicalJson({
        architecture: "amd64",
        os: "linux",
        rootfs: { type: "layers", diff_ids: [] },
      });
      const desc = (mediaType: string, data: Buffer) => ({
        mediaType,
        digest: sha256Digest(data),
        size: data.length,
      });
      const dockerManifest = canonicalJson({
        schemaVersion: 2,
        mediaType: MediaType.dockerManifest,
        config: desc(MediaType.dockerConfig, config),
        layers: [desc(MediaType.dockerLayerGzip, layer1), desc(MediaType.dockerLayerGzip, layer2)],
      });
      await pushImage(client("docker"), {
        blobs: new Map([config, layer1, layer2].map((b) => [sha256Digest(b), b])),
        manifests: [{ mediaType: MediaType.dockerManifest, bytes: dockerManifest }],
      });
      let r = await ok([
        "pull",
        `${registry.host}/${repo}:docker`,
        "--insecure",
        "--json",
        "--out",
        join(dir.path, "d.wasm"),
      ]);
      assert.equal((JSON.parse(r.stdout) as PullJson).shape, "docker");
      assert.deepEqual(readFileSync(join(dir.path, "d.wasm")), wasm);

      // An OCI index listing an oci-variant image (no platform) and the compat one (linux/amd64).
      const ociImage = buildImage({ wasm: tinyWasm("in index, oci"), variant: "oci" });
      const compatWasm = tinyWasm("in index, compat");
      const compatImage = buildImage({ wasm: compatWasm, variant: "compat" });
      const index = canonicalJson({
        schemaVersion: 2,
        mediaType: MediaType.ociIndex,
        manifests: [
          { ...desc(MediaType.ociManifest, ociImage.manifestBytes) },
          {
            ...desc(MediaType.ociManifest, compatImage.manifestBytes),
            platform: { architecture: "amd64", os: "linux" },
          },
        ],
      });
      await pushImage(client("index"), {
        blobs: new Map([...ociImage.blobs, ...compatImage.blobs]),
        manifests: [
          { mediaType: MediaType.ociManifest, bytes: ociImage.manifestBytes },
          { mediaType: MediaType.ociManifest, bytes: compatImage.manifestBytes },
          { mediaType: MediaType.ociIndex, bytes: index },
        ],
      });
      r = await ok([
        "pull",
        `${registry.host}/${repo}:index`,
        "--insecure",
        "--json",
        "--out",
        join(dir.path, "i.wasm"),
      ]);
      const pulled = JSON.parse(r.stdout) as PullJson;
      assert.equal(pulled.digest, sha256Digest(index));
      assert.equal(pulled.manifestDigest, compatImage.manifestDigest);
      assert.deepEqual(readFileSync(join(dir.path, "i.wasm")), compatWasm);
      // the library call gives the same answer
      const viaLibrary = await pullWasm(client("index"));
      assert.deepEqual(viaLibrary.wasm, compatWasm);
    });

    it("says a missing tag or repository is not found", async () => {
      const wasm = writeWasm("notfound.wasm");
      const repo = uniqueRepo("notfound");
      await ok([
        "push",
        "--wasm",
        wasm.path,
        `${registry.host}/${repo}:v1`,
        "--insecure",
        "--quiet",
      ]);
      let r = await cli([
        "pull",
        `${registry.host}/${repo}:nope`,
        "--insecure",
        "--out",
        join(dir.path, "x.wasm"),
      ]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`${registry.host}/${repo}:nope not found`));
      r = await cli(["pull", `${registry.host}/no-such-repo-${repo}:v1`, "--insecure"]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /not found/);
    });

    it("detects a corrupted blob in the registry's storage", async () => {
      const wasm = writeWasm("corrupt.wasm");
      const ref = `${registry.host}/${uniqueRepo("corrupt")}:v1`;
      const pushed = JSON.parse(
        (await ok(["push", "--wasm", wasm.path, "--variant", "oci", ref, "--insecure", "--json"]))
          .stdout,
      ) as PushJson;
      const image = buildImage({ wasm: wasm.bytes, variant: "oci" });
      assert.equal(pushed.digest, image.manifestDigest);
      const layerDigest = image.manifest.layers[0].digest;
      const file = blobDataPath(registry.storage, layerDigest);
      const data = readFileSync(file);
      data[data.length - 1] ^= 0xff; // same size, different content
      writeFileSync(file, data);
      const r = await cli([
        "pull",
        ref,
        "--insecure",
        "--out",
        join(dir.path, "corrupt-pulled.wasm"),
      ]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`digest mismatch for blob ${layerDigest}`));
    });

    it("says when the registry cannot be reached, and hints at --insecure for plain HTTP", async () => {
      const port = await freePort();
      let r = await cli(["pull", `127.0.0.1:${port}/x/y:v1`, "--insecure"]);
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(`cannot reach registry 127\\.0\\.0\\.1:${port}.*ECONNREFUSED`),
      );
      r = await cli(["pull", `${registry.host}/x/y:v1`]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /cannot reach registry .*https:\/\/127\.0\.0\.1.*pass --insecure/);
    });

    it(
      "skopeo copies our image layouts (directory and tar) unchanged, and we pull them",
      { skip: toolSkip("skopeo", "skopeo") },
      async () => {
        for (const [variant, out] of [
          ["compat", "skopeo-copy-layout"],
          ["oci", "skopeo-copy.tar"],
        ] as const) {
          const wasm = writeWasm(`skopeo-copy-${variant}.wasm`);
          const layout = join(dir.path, out);
          const built = JSON.parse(
            (
              await ok([
                "image",
                "--wasm",
                wasm.path,
                "--variant",
                variant,
                "--out",
                layout,
                "--tag",
                "v1",
                "--json",
              ])
            ).stdout,
          ) as { digest: string };
          const ref = `${registry.host}/${uniqueRepo(`skopeo-copy-${variant}`)}:v1`;
          const source = out.endsWith(".tar") ? `oci-archive:${layout}:v1` : `oci:${layout}:v1`;
          const copy = spawnSync(
            "skopeo",
            ["copy", "--dest-tls-verify=false", source, `docker://${ref}`],
            {
              encoding: "utf8",
            },
          );
          assert.equal(copy.status, 0, copy.stderr);
          const pulled = join(dir.path, `skopeo-copy-${variant}-pulled.wasm`);
          const r = await ok(["pull", ref, "--insecure", "--json", "--out", pulled]);
          assert.equal(
            (JSON.parse(r.stdout) as PullJson).digest,
            built.digest,
            "skopeo kept the digest",
          );
          assert.deepEqual(readFileSync(pulled), wasm.bytes);
        }
      },
    );

    it("agrees with skopeo inspect", { skip: toolSkip("skopeo", "skopeo") }, async () => {
      for (const variant of ["compat", "oci"] as const) {
        const wasm = writeWasm(`skopeo-${variant}.wasm`);
        const ref = `${registry.host}/${uniqueRepo(`skopeo-${variant}`)}:v1`;
        const pushed = JSON.parse(
          (
            await ok([
              "push",
              "--wasm",
              wasm.path,
              "--variant",
              variant,
              ref,
              "--insecure",
              "--json",
            ])
          ).stdout,
        ) as PushJson;
        const image = buildImage({ wasm: wasm.bytes, variant });
        const raw = spawnSync("skopeo", [
          "inspect",
          "--raw",
          "--tls-verify=false",
          `docker://${ref}`,
        ]);
        assert.equal(raw.status, 0, raw.stderr.toString());
        assert.equal(sha256Digest(raw.stdout), pushed.digest, "skopeo sees the manifest we pushed");
        const manifest = JSON.parse(raw.stdout.toString()) as ImageManifest;
        assert.deepEqual(manifest.layers, image.manifest.layers);
        assert.deepEqual(manifest.config, image.manifest.config);
        if (variant === "compat") {
          // skopeo's image view works on the compat variant (a regular image)
          const info = spawnSync("skopeo", ["inspect", "--tls-verify=false", `docker://${ref}`], {
            encoding: "utf8",
          });
          assert.equal(info.status, 0, info.stderr);
          const parsed = JSON.parse(info.stdout) as {
            Digest: string;
            Layers: string[];
            Os: string;
          };
          assert.equal(parsed.Digest, pushed.digest);
          assert.deepEqual(parsed.Layers, [image.manifest.layers[0].digest]);
        }
      }
    });
  },
);
