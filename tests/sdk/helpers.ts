// Shared helpers of the SDK tests: build a test filter (tests/filters/<name>.ts) when its wasm is
// missing or older than its sources, and read the `key=value` report lines the filters log.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Host } from "proxy-wasm-as/host";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The path of the compiled test filter `name`, built first if needed. With SDK_TEST_AS=0.28 the
 * AssemblyScript 0.28 build (build/as0.28/test-<name>.wasm) is used instead.
 */
export function filterWasm(name: string): string {
  const as028 = process.env.SDK_TEST_AS === "0.28";
  const source = join(ROOT, "tests/filters", `${name}.ts`);
  const wasm = as028
    ? join(ROOT, "build/as0.28", `test-${name}.wasm`)
    : join(ROOT, "tests/filters/build", `${name}.wasm`);
  const sourceTime = Math.max(statSync(source).mtimeMs, newestSource(join(ROOT, "assembly")));
  const fresh = () => existsSync(wasm) && statSync(wasm).mtimeMs >= sourceTime;
  if (fresh()) return wasm;
  // Test files run in parallel processes: one builds, the others wait for it.
  const lock = `${wasm}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left behind by a killed build is older than any real build takes.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true });
      } catch {}
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    if (!fresh()) {
      const args = ["scripts/build-examples.mjs", `test:${name}`];
      if (as028) args.push("--also-0.28");
      execFileSync(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
    }
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return wasm;
}

/**
 * The `key=value` lines logged (at any level) since entry `from` of the host's log, as a record;
 * a key logged twice keeps its last value.
 */
export function reports(host: Host, from = 0): Record<string, string> {
  const out: Record<string, string> = {};
  for (const message of host.logs().slice(from)) {
    const m = /^([\w.:-]+)=([\s\S]*)$/.exec(message);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** The number of log lines so far: pass it to `reports` to see only what comes next. */
export function mark(host: Host): number {
  return host.logs().length;
}
