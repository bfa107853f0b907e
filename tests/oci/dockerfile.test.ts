// The project's Dockerfile (FROM scratch; COPY runtime-config.json plugin.wasm ./) built by a real
// image builder (buildah and/or podman, where installed) gives an image that `proxy-wasm-as pull`
// reads back byte-identical, in both the OCI and the Docker manifest formats.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  cli,
  repoRoot,
  sharedRegistry,
  tempDir,
  tinyWasm,
  uniqueRepo,
  type Registry,
} from "./helpers.js";
import { toolSkip } from "../tools.js";

const fallbackDockerfile = "FROM scratch\nCOPY runtime-config.json plugin.wasm ./\n";

let registry: Registry | undefined;
let dir: { path: string; remove(): Promise<void> };
const cleanup: string[] = [];

before(async () => {
  dir = await tempDir("pwa-dockerfile-");
});
after(async () => {
  await registry?.stop();
  await dir?.remove();
  for (const path of cleanup) rmSync(path, { recursive: true, force: true });
});

function run(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: "utf8", timeout: 300_000 });
  assert.equal(r.status, 0, `${command} ${args.join(" ")}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

for (const tool of ["buildah", "podman"] as const) {
  describe(
    `Dockerfile built with ${tool}`,
    // Images go to a real registry, so the builder alone is not enough.
    { skip: toolSkip(tool, tool) || toolSkip("docker-registry", "docker-registry") },
    () => {
      before(async () => {
        registry ??= await sharedRegistry();
      });

      it("builds an image whose plugin.wasm pulls back identical (OCI, Docker v2, its OCI layout), and loads ours", async () => {
        const context = join(dir.path, `${tool}-context`);
        const storage = join(dir.path, `${tool}-storage`);
        run("mkdir", ["-p", context]);
        const projectDockerfile = join(repoRoot, "Dockerfile");
        const dockerfile = existsSync(projectDockerfile)
          ? readFileSync(projectDockerfile, "utf8")
          : fallbackDockerfile;
        if (!existsSync(projectDockerfile))
          console.log(
            `# no Dockerfile at the repository root yet; using: ${JSON.stringify(fallbackDockerfile)}`,
          );
        writeFileSync(join(context, "Dockerfile"), dockerfile);
        const wasm = tinyWasm(`built by ${tool}`);
        writeFileSync(join(context, "plugin.wasm"), wasm);
        writeFileSync(
          join(context, "runtime-config.json"),
          JSON.stringify({
            type: "envoy_proxy",
            abiVersions: ["proxy_abi_version_0_2_1"],
            config: { rootIds: ["t"] },
          }),
        );
        const global = [
          "--root",
          join(storage, "root"),
          "--runroot",
          join(storage, "run"),
          "--storage-driver",
          "vfs",
        ];
        const image = `localhost/pwa-dockerfile-${tool}:test`;
        const build = tool === "buildah" ? "bud" : "build";
        run(tool, [
          ...global,
          build,
          "--isolation",
          "chroot",
          "-f",
          join(context, "Dockerfile"),
          "-t",
          image,
          context,
        ]);
        const repo = uniqueRepo(`dockerfile-${tool}`);
        for (const [format, shape] of [
          ["oci", "compat"],
          ["v2s2", "docker"],
        ] as const) {
          const ref = `${registry!.host}/${repo}:${format}`;
          run(tool, [
            ...global,
            "push",
            "--tls-verify=false",
            "--format",
            format,
            image,
            `docker://${ref}`,
          ]);
          const out = join(dir.path, `${tool}-${format}.wasm`);
          const r = await cli(["pull", ref, "--insecure", "--json", "--out", out]);
          assert.equal(r.code, 0, r.stderr);
          assert.equal((JSON.parse(r.stdout) as { shape: string }).shape, shape);
          assert.deepEqual(readFileSync(out), wasm, `plugin.wasm from the ${format} image matches`);
        }
        // The builder's own OCI layout, pushed by proxy-wasm-as, pulls back the same module.
        const builderLayout = join(dir.path, `${tool}-layout`);
        run(tool, [...global, "push", image, `oci:${builderLayout}:built`]);
        const ref = `${registry!.host}/${repo}:from-layout`;
        let r = await cli(["push", builderLayout, ref, "--insecure", "--quiet"]);
        assert.equal(r.code, 0, r.stderr);
        r = await cli([
          "pull",
          ref,
          "--insecure",
          "--quiet",
          "--out",
          join(dir.path, `${tool}-layout.wasm`),
        ]);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(readFileSync(join(dir.path, `${tool}-layout.wasm`)), wasm);

        // And the other way round: the compat image proxy-wasm-as builds is an image the builder
        // accepts, with plugin.wasm in its filesystem.
        // (in a lower-case path: the tools name the image after it)
        const ours = join(tmpdir(), `pwa-ours-${randomBytes(6).toString("hex")}`);
        cleanup.push(ours);
        r = await cli([
          "image",
          "--wasm",
          join(context, "plugin.wasm"),
          "--out",
          ours,
          "--tag",
          "v1",
          "--quiet",
        ]);
        assert.equal(r.code, 0, r.stderr);
        run(tool, [...global, "pull", `oci:${ours}:v1`]);
        if (tool === "buildah") {
          const container = run(tool, [...global, "from", `oci:${ours}:v1`]).trim();
          const mount = run(tool, [...global, "mount", container]).trim();
          assert.deepEqual(readFileSync(join(mount, "plugin.wasm")), wasm);
          run(tool, [...global, "umount", container]);
          run(tool, [...global, "rm", container]);
        }
        spawnSync(tool, [...global, "rmi", "--all", "--force"], { stdio: "ignore" });
      });
    },
  );
}
