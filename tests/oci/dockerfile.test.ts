// The project's Dockerfile (FROM scratch; COPY runtime-config.json plugin.wasm ./) built by a real
// image builder (buildah and/or podman, where installed) gives an image that `proxy-wasm-as pull`
// reads back byte-identical, in both the OCI and the Docker manifest formats.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  cli,
  hasCommand,
  repoRoot,
  sharedRegistry,
  tempDir,
  tinyWasm,
  uniqueRepo,
  type Registry,
} from "./helpers.js";

const fallbackDockerfile = "FROM scratch\nCOPY runtime-config.json plugin.wasm ./\n";

let registry: Registry | undefined;
let dir: { path: string; remove(): Promise<void> };

before(async () => {
  dir = await tempDir("pwa-dockerfile-");
  if (hasCommand("buildah") || hasCommand("podman")) registry = await sharedRegistry();
});
after(async () => {
  await registry?.stop();
  await dir.remove();
});

function run(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: "utf8", timeout: 300_000 });
  assert.equal(r.status, 0, `${command} ${args.join(" ")}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

for (const tool of ["buildah", "podman"] as const) {
  describe(
    `Dockerfile built with ${tool}`,
    { skip: !hasCommand(tool) && `${tool} is not installed` },
    () => {
      it("gives an image whose plugin.wasm matches, pushed as OCI and as Docker v2", async () => {
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
        spawnSync(tool, [...global, "rmi", "--all", "--force"], { stdio: "ignore" });
      });
    },
  );
}
