// Helpers of the fuzz tests: the test filters, and running a printed test under node --test.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const tsxLoader = pathToFileURL(join(repoRoot, "node_modules", "tsx", "dist", "loader.mjs")).href;

/** A test filter of tests/filters (built by scripts/build-examples.mjs tests). */
export const testFilter = (name: string) =>
  join(repoRoot, "tests", "filters", "build", `${name}.wasm`);

/** What a printed test needs to run from a temporary directory: the host API by its file URL. */
export const printOptions = (wasm: string) => ({
  testWasm: JSON.stringify(wasm),
  importFrom: pathToFileURL(join(repoRoot, "src", "host", "index.ts")).href,
});

/** Writes `source` to a temporary .test.ts file and runs it with node --test (through tsx). */
export function runPrintedTest(source: string): { code: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "pwa-fuzz-"));
  try {
    const file = join(dir, "reproduce.test.ts");
    writeFileSync(file, source);
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
    delete env.NODE_TEST_CONTEXT; // a test of its own, not a subtest of this one
    const r = spawnSync(
      process.execPath,
      ["--import", tsxLoader, "--test", "--test-reporter=spec", file],
      { cwd: dir, env, encoding: "utf8", timeout: 120_000 },
    );
    return { code: r.status ?? 1, output: `${r.stdout}\n${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
