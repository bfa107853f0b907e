// scripts/registry.sh (what .ci/run uses): starts docker-registry on 127.0.0.1, says where, stops it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { repoRoot, tempDir } from "./helpers.js";
import { toolSkip } from "../tools.js";

describe("scripts/registry.sh", { skip: toolSkip("docker-registry", "docker-registry") }, () => {
  it("starts a registry on 127.0.0.1, is idempotent, and stops it", async () => {
    const dir = await tempDir();
    const state = join(dir.path, "state");
    const env = { ...process.env, PROXY_WASM_AS_REGISTRY_STATE: state };
    const script = join(repoRoot, "scripts", "registry.sh");
    try {
      const first = spawnSync(script, ["start"], { env, encoding: "utf8", cwd: repoRoot });
      assert.equal(first.status, 0, first.stderr);
      const url = first.stdout.trim();
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(readFileSync(join(state, "url"), "utf8").trim(), url);
      assert.ok(existsSync(readFileSync(join(state, "storage-dir"), "utf8").trim()));
      const res = await fetch(`${url}/v2/`);
      assert.equal(res.status, 200);
      const second = spawnSync(script, ["start"], { env, encoding: "utf8", cwd: repoRoot });
      assert.equal(second.stdout.trim(), url, "a second start reuses the running registry");
      const pid = Number(readFileSync(join(state, "pid"), "utf8"));
      const stop = spawnSync(script, ["stop"], { env, encoding: "utf8", cwd: repoRoot });
      assert.equal(stop.status, 0, stop.stderr);
      assert.equal(existsSync(join(state, "url")), false);
      for (let i = 0; i < 50; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      await assert.rejects(fetch(`${url}/v2/`), "the registry is gone");
    } finally {
      spawnSync(script, ["stop"], { env, cwd: repoRoot });
      await dir.remove();
    }
  });
});
