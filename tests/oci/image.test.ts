// `proxy-wasm-as image`: both variants, reproducible, valid OCI image layouts; and the pieces
// under it (tar, references, auth challenges, credential lookup). No registry needed.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { findCredentials, parseChallenge } from "../../src/oci/auth.js";
import { buildImage, openLayout } from "../../src/oci/image.js";
import { parseReference } from "../../src/oci/reference.js";
import { readTar, writeTar } from "../../src/oci/tar.js";
import {
  MediaType,
  sha256Digest,
  type ImageIndex,
  type ImageManifest,
} from "../../src/oci/types.js";
import { cleanEnv, cli, tempDir, tinyWasm } from "./helpers.js";
import { toolSkip } from "../tools.js";

const runtimeConfig = JSON.stringify({
  type: "envoy_proxy",
  abiVersions: ["proxy_abi_version_0_2_1"],
  config: { rootIds: ["add_header"] },
});

let dir: { path: string; remove(): Promise<void> };
let wasmPath: string;
let configPath: string;
const wasm = tinyWasm("image test module");

before(async () => {
  dir = await tempDir();
  wasmPath = join(dir.path, "plugin.wasm");
  configPath = join(dir.path, "runtime-config.json");
  writeFileSync(wasmPath, wasm);
  writeFileSync(configPath, runtimeConfig);
});
after(() => dir.remove());

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

function blob(layout: string, digest: string): Buffer {
  const data = readFileSync(join(layout, "blobs", "sha256", digest.slice(7)));
  assert.equal(sha256Digest(data), digest, `blob ${digest} hashes to its name`);
  return data;
}

async function image(variant: string, out: string, extra: string[] = []) {
  const r = await cli([
    "image",
    "--wasm",
    wasmPath,
    "--runtime-config",
    configPath,
    "--variant",
    variant,
    "--out",
    out,
    "--json",
    ...extra,
  ]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as { digest: string; variant: string; layers: { digest: string }[] };
}

describe("proxy-wasm-as image", () => {
  for (const variant of ["compat", "oci"]) {
    it(`builds the ${variant} variant reproducibly (same input, same digest, same bytes)`, async () => {
      const a = await image(variant, join(dir.path, `${variant}-a`));
      const b = await image(variant, join(dir.path, `${variant}-b`));
      assert.equal(a.digest, b.digest);
      assert.match(a.digest, /^sha256:[0-9a-f]{64}$/);
      const ta = await image(variant, join(dir.path, `${variant}-a.tar`));
      await new Promise((r) => setTimeout(r, 1100)); // a later second must not change anything
      const tb = await image(variant, join(dir.path, `${variant}-b.tar`));
      assert.equal(ta.digest, a.digest);
      assert.deepEqual(
        readFileSync(join(dir.path, `${variant}-a.tar`)),
        readFileSync(join(dir.path, `${variant}-b.tar`)),
        "the layout tars are byte-identical",
      );
      assert.equal(tb.digest, a.digest);
      // a different module gives a different digest
      const other = buildImage({ wasm: tinyWasm("other"), variant: variant as "compat" | "oci" });
      assert.notEqual(other.manifestDigest, a.digest);
    });
  }

  it("writes the compat variant as Istio expects it", async () => {
    const out = join(dir.path, "compat-check");
    const result = await image("compat", out, ["--tag", "my-filter:v1"]);
    assert.deepEqual(readJson(join(out, "oci-layout")), { imageLayoutVersion: "1.0.0" });
    const index = readJson<ImageIndex>(join(out, "index.json"));
    assert.equal(index.schemaVersion, 2);
    assert.equal(index.manifests.length, 1);
    assert.equal(index.manifests[0].digest, result.digest);
    assert.equal(index.manifests[0].annotations?.["org.opencontainers.image.ref.name"], "v1");
    const manifestBytes = blob(out, result.digest);
    assert.equal(index.manifests[0].size, manifestBytes.length);
    const manifest = JSON.parse(manifestBytes.toString()) as ImageManifest;
    assert.equal(manifest.mediaType, MediaType.ociManifest);
    assert.equal(manifest.annotations?.["module.wasm.image/variant"], "compat");
    assert.equal(manifest.config.mediaType, MediaType.ociConfig);
    assert.equal(manifest.layers.length, 1);
    assert.equal(manifest.layers[0].mediaType, "application/vnd.oci.image.layer.v1.tar+gzip");
    const layer = blob(out, manifest.layers[0].digest);
    assert.equal(layer.length, manifest.layers[0].size);
    assert.equal(layer.readUInt32LE(4), 0, "gzip header mtime is 0");
    const tar = gunzipSync(layer);
    const entries = readTar(tar);
    assert.deepEqual(
      entries.map((e) => e.name),
      ["plugin.wasm", "runtime-config.json"],
    );
    assert.deepEqual(Buffer.from(entries[0].data!), wasm);
    assert.equal(Buffer.from(entries[1].data!).toString(), runtimeConfig);
    // ustar headers: owner 0, mtime 0
    assert.equal(tar.subarray(108, 115).toString(), "0000000");
    assert.equal(tar.subarray(136, 147).toString(), "00000000000");
    const config = JSON.parse(blob(out, manifest.config.digest).toString()) as {
      rootfs: { diff_ids: string[] };
      os: string;
      architecture: string;
    };
    assert.deepEqual(config.rootfs.diff_ids, [sha256Digest(tar)]);
    assert.equal(config.os, "linux");
  });

  it("writes the oci variant: Wasm config and one raw Wasm layer", async () => {
    const out = join(dir.path, "oci-check");
    const result = await image("oci", out);
    const manifest = JSON.parse(blob(out, result.digest).toString()) as ImageManifest;
    assert.equal(manifest.config.mediaType, "application/vnd.module.wasm.config.v1+json");
    assert.deepEqual(
      JSON.parse(blob(out, manifest.config.digest).toString()),
      JSON.parse(runtimeConfig),
    );
    assert.equal(manifest.layers.length, 1);
    assert.equal(manifest.layers[0].mediaType, "application/vnd.module.wasm.content.layer.v1+wasm");
    assert.deepEqual(blob(out, manifest.layers[0].digest), wasm);
    assert.equal(manifest.annotations?.["module.wasm.image/variant"], undefined);
  });

  it("keeps several tags in one layout directory and reads tars back", async () => {
    const out = join(dir.path, "multi");
    const a = await image("compat", out, ["--tag", "compat"]);
    const b = await image("oci", out, ["--tag", "oci"]);
    const again = await image("oci", out, ["--tag", "oci"]);
    assert.equal(again.digest, b.digest);
    const layout = await openLayout(out);
    assert.deepEqual(
      layout.index.manifests.map((m) => [
        m.annotations?.["org.opencontainers.image.ref.name"],
        m.digest,
      ]),
      [
        ["compat", a.digest],
        ["oci", b.digest],
      ],
    );
    const tarLayout = await openLayout(join(dir.path, "oci-a.tar"));
    assert.equal(tarLayout.index.manifests.length, 1);
    const manifest = JSON.parse(
      (await tarLayout.readBlob(tarLayout.index.manifests[0].digest)).toString(),
    );
    assert.equal(manifest.layers[0].mediaType, MediaType.wasmLayer);
  });

  it("generates runtime-config.json when there is none", async () => {
    const cwd = join(dir.path, "no-runtime-config");
    mkdirSync(cwd);
    const r = await cli(
      ["image", "--wasm", wasmPath, "--root-id", "my_root", "--out", "img", "--json"],
      { cwd },
    );
    assert.equal(r.code, 0, r.stderr);
    const digest = (JSON.parse(r.stdout) as { digest: string }).digest;
    const manifest = JSON.parse(blob(join(cwd, "img"), digest).toString()) as ImageManifest;
    const entries = readTar(gunzipSync(blob(join(cwd, "img"), manifest.layers[0].digest)));
    const generated = JSON.parse(Buffer.from(entries[1].data!).toString());
    assert.deepEqual(generated.config.rootIds, ["my_root"]);
    assert.match(r.stderr, /generated runtime-config\.json/);
  });

  it("refuses a file that is not Wasm, a missing module and a bad variant, saying why", async () => {
    const bogus = join(dir.path, "bogus.wasm");
    writeFileSync(bogus, "not wasm at all");
    let r = await cli(["image", "--wasm", bogus, "--out", join(dir.path, "x")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not a WebAssembly module/);
    r = await cli([
      "image",
      "--wasm",
      join(dir.path, "missing.wasm"),
      "--out",
      join(dir.path, "x"),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /missing\.wasm does not exist/);
    r = await cli(["image", "--wasm", wasmPath, "--variant", "docker"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--variant must be compat or oci/);
    r = await cli(["image", "--bogus"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option --bogus/);
  });

  it("refuses to overwrite an unrelated file or fill a non-empty directory without --force", async () => {
    const base = join(dir.path, "out-guard");
    mkdirSync(base);
    const args = (out: string, ...extra: string[]) => [
      "image",
      "--wasm",
      wasmPath,
      "--runtime-config",
      configPath,
      "--out",
      out,
      "--quiet",
      ...extra,
    ];
    // an unrelated file named like a tar
    const notes = join(base, "notes.tar");
    writeFileSync(notes, "my notes, not an image\n");
    let r = await cli(args(notes));
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /notes\.tar exists and is not an image layout tar; refusing to replace it \(pass --force/,
    );
    assert.equal(readFileSync(notes, "utf8"), "my notes, not an image\n", "the file is untouched");
    // a directory holding other files
    const project = join(base, "project");
    mkdirSync(project);
    writeFileSync(join(project, "README.md"), "keep me");
    r = await cli(args(project));
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /project is a non-empty directory that is not an image layout \(it holds README\.md\); refusing/,
    );
    assert.deepEqual(readdirSync(project), ["README.md"], "nothing written into it");
    // a file where the layout directory would go
    const plain = join(base, "plain");
    writeFileSync(plain, "data");
    r = await cli(args(plain));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /plain exists and is not a directory; refusing/);
    assert.equal(readFileSync(plain, "utf8"), "data");

    // --force writes all three
    for (const out of [notes, project, plain]) {
      r = await cli(args(out, "--force"));
      assert.equal(r.code, 0, r.stderr);
      assert.equal((await openLayout(out)).index.manifests.length, 1);
    }
    assert.equal(
      readFileSync(join(project, "README.md"), "utf8"),
      "keep me",
      "--force keeps other files",
    );

    // the layouts image wrote itself are updated without --force
    for (const out of [join(base, "again.tar"), join(base, "again")]) {
      assert.equal((await cli(args(out))).code, 0);
      r = await cli(args(out, "--tag", "v2", "--variant", "oci"));
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal((await openLayout(join(base, "again"))).index.manifests.length, 2);
  });

  it("has --help on every OCI command", async () => {
    for (const name of ["image", "push", "pull", "manifest"]) {
      const r = await cli([name, "--help"]);
      assert.equal(r.code, 0);
      assert.match(r.stdout, new RegExp(`^usage: proxy-wasm-as ${name}`));
      if (name === "image") assert.match(r.stdout, /--force/);
    }
  });

  it("is readable by skopeo (oci: transport)", { skip: toolSkip("skopeo", "skopeo") }, async () => {
    const out = join(dir.path, "skopeo");
    const result = await image("compat", out, ["--tag", "v1"]);
    const r = spawnSync("skopeo", ["inspect", `oci:${out}:v1`], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout) as { Digest: string; Layers: string[] };
    assert.equal(info.Digest, result.digest);
    assert.deepEqual(info.Layers, [result.layers[0].digest]);
  });
});

describe("tar", () => {
  it("round-trips files, directories and long names", () => {
    const long = "a/" + "b".repeat(90) + "/" + "c".repeat(90) + ".txt";
    const tar = writeTar([
      { name: "dir" },
      { name: "dir/x.bin", data: Buffer.from([1, 2, 3]) },
      { name: long, data: Buffer.from("hi") },
    ]);
    assert.equal(tar.length % 512, 0);
    const entries = readTar(tar);
    assert.deepEqual(
      entries.map((e) => e.name),
      ["dir", "dir/x.bin", long],
    );
    assert.deepEqual(Buffer.from(entries[1].data!), Buffer.from([1, 2, 3]));
  });

  it("rejects a corrupted header", () => {
    const tar = writeTar([{ name: "x", data: Buffer.from("x") }]);
    tar[0] = "y".charCodeAt(0);
    assert.throws(() => readTar(tar), /bad checksum/);
  });
});

describe("image references", () => {
  it("parses registry, repository, tag and digest", () => {
    assert.deepEqual(parseReference("oci://127.0.0.1:5000/filters/hello:v1"), {
      registry: "127.0.0.1:5000",
      apiHost: "127.0.0.1:5000",
      repository: "filters/hello",
      tag: "v1",
      digest: undefined,
    });
    const d = "sha256:" + "a".repeat(64);
    assert.equal(parseReference(`ghcr.io/me/f@${d}`).digest, d);
    assert.equal(parseReference(`ghcr.io/me/f@${d}`).tag, undefined);
    assert.equal(parseReference("ghcr.io/me/f").tag, "latest");
    const hub = parseReference("myfilter:1.0");
    assert.equal(hub.registry, "docker.io");
    assert.equal(hub.apiHost, "registry-1.docker.io");
    assert.equal(hub.repository, "library/myfilter");
    assert.equal(parseReference("localhost/x").registry, "localhost");
    assert.throws(() => parseReference("ghcr.io/Me/F:v1"), /bad repository name/);
    assert.throws(() => parseReference("ghcr.io/me/f@sha256:abc"), /bad digest/);
  });
});

describe("auth", () => {
  it("parses WWW-Authenticate challenges", () => {
    assert.deepEqual(
      parseChallenge(
        'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"',
      ),
      {
        scheme: "bearer",
        params: {
          realm: "https://auth.example/token",
          service: "registry.example",
          scope: "repository:a/b:pull",
        },
      },
    );
    assert.deepEqual(parseChallenge('Basic realm="r"'), {
      scheme: "basic",
      params: { realm: "r" },
    });
  });

  it("finds credentials in the environment, then in the docker config", async () => {
    const home = join(dir.path, "home");
    const dockerDir = join(home, ".docker");
    mkdirSync(dockerDir, { recursive: true });
    writeFileSync(
      join(dockerDir, "config.json"),
      JSON.stringify({
        auths: {
          "registry.example:5000": {
            auth: Buffer.from("alice:s3cret:with:colons").toString("base64"),
          },
          "https://index.docker.io/v1/": { auth: Buffer.from("hub:pw").toString("base64") },
        },
      }),
    );
    const env = { HOME: home } as NodeJS.ProcessEnv;
    assert.deepEqual(findCredentials("registry.example:5000", env), {
      username: "alice",
      password: "s3cret:with:colons",
      source: "~/.docker/config.json",
    });
    assert.equal(findCredentials("docker.io", env)?.username, "hub");
    assert.equal(findCredentials("other.example", env), undefined);
    const fromEnv = findCredentials("registry.example:5000", {
      ...env,
      PROXY_WASM_AS_REGISTRY_USER: "bob",
      PROXY_WASM_AS_REGISTRY_PASSWORD: "pw",
    });
    assert.equal(fromEnv?.username, "bob");
    assert.equal(cleanEnv().PROXY_WASM_AS_REGISTRY_USER, undefined);
  });
});
