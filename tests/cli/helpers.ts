// Test helpers for the CLI tests: the CLI from its sources, temporary directories, and child
// processes (npm) whose output is kept for the failure message.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** This checkout: what `--sdk file:…` points at. */
export const repoRoot = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const mainTs = join(repoRoot, "src", "cli", "main.ts");
// tsx by absolute URL, so the CLI can run in any working directory.
const tsxLoader = pathToFileURL(join(repoRoot, "node_modules", "tsx", "dist", "loader.mjs")).href;

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(prefix = "pwa-cli-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The environment of child processes: no node:test parent context, no colours. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" };
  delete env.NODE_TEST_CONTEXT;
  // asc colours its diagnostics whenever CI is set (it ignores NO_COLOR); CI runs set CI=true.
  delete env.CI;
  env.npm_config_update_notifier = "false";
  return env;
}

/** Runs `proxy-wasm-as ARGS` from the sources (through tsx) in `cwd`. */
export function cli(args: string[], cwd: string): Result {
  const r = spawnSync(process.execPath, ["--import", tsxLoader, mainTs, ...args], {
    cwd,
    encoding: "utf8",
    env: childEnv(),
  });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command asynchronously (so other tests can run meanwhile), collecting its output. */
export function exec(command: string, args: string[], cwd: string): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      cwd,
      env: childEnv(),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code: code ?? 1, stdout, stderr }));
  });
}

/** A failure message showing what a command printed. */
export function show(what: string, r: Result): string {
  return `${what} exited with ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
}

/** Every file under `dir`, relative and "/"-separated, sorted (node_modules and build left out). */
export function listFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, prefix)).sort()) {
    if (name === "node_modules" || name === "build") continue;
    const rel = prefix ? `${prefix}/${name}` : name;
    if (statSync(join(dir, rel)).isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

/** Newest modification time of the .ts files under `dir`. */
function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const info = statSync(path);
    if (info.isDirectory()) t = Math.max(t, newest(path));
    else if (name.endsWith(".ts")) t = Math.max(t, info.mtimeMs);
  }
  return t;
}

/**
 * A project that depends on `file:<this checkout>` gets a symlink to it, so it runs the
 * checkout's compiled dist/ (the CLI bin and proxy-wasm-as/host). Compile it when it is missing
 * or older than the sources. tsc emits even when some file has a type error, so only a missing
 * output fails here.
 */
export function ensureDist(): void {
  const outputs = ["dist/src/cli/main.js", "dist/src/host/index.js"].map((p) => join(repoRoot, p));
  const built = Math.min(...outputs.map((p) => (existsSync(p) ? statSync(p).mtimeMs : 0)));
  if (built >= newest(join(repoRoot, "src"))) return;
  const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", "tsconfig.json"], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  for (const p of outputs) {
    if (!existsSync(p)) throw new Error(`tsc did not write ${relative(repoRoot, p)}\n${r.stdout}`);
  }
}
