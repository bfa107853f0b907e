// A user's filter project as `proxy-wasm-as build` and `test` see it: its asconfig.json, its
// AssemblyScript compiler and its tests.
import { spawn, type StdioOptions } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { displayPath } from "./scaffold.js";

/** Thrown when the directory is not a project we can build or test; the message says why. */
export class ProjectError extends Error {}

interface AsTarget {
  outFile?: string;
  [option: string]: unknown;
}

interface AsConfig {
  extends?: string;
  entries?: string[];
  targets?: Record<string, AsTarget>;
  options?: AsTarget;
}

export interface Project {
  dir: string;
  asconfig: AsConfig;
}

/** Opens the project in `dir` (its asconfig.json must exist). */
export async function openProject(dir: string): Promise<Project> {
  const root = resolve(dir);
  const file = join(root, "asconfig.json");
  if (!existsSync(root)) {
    throw new ProjectError(
      `${dir} does not exist (\`proxy-wasm-as init ${dir}\` makes a project there)`,
    );
  }
  if (!statSync(root).isDirectory()) {
    throw new ProjectError(`${dir} is a file; give the project's directory`);
  }
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new ProjectError(
      `no asconfig.json in ${root}: not an AssemblyScript project (\`proxy-wasm-as init\` makes one)`,
    );
  }
  let asconfig: AsConfig;
  try {
    asconfig = JSON.parse(text) as AsConfig;
  } catch (err) {
    throw new ProjectError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  // asc quietly builds without a missing base config, and the module then imports env.abort
  // and friends, which Envoy does not provide: stop here instead.
  if (typeof asconfig.extends === "string" && !existsSync(join(root, asconfig.extends))) {
    throw new ProjectError(
      `asconfig.json extends ${asconfig.extends}, which does not exist` +
        (asconfig.extends.includes("node_modules")
          ? " (is the project installed? run `npm install`)"
          : ""),
    );
  }
  return { dir: root, asconfig };
}

/** The asconfig target names, in file order. */
export function targetNames(project: Project): string[] {
  return Object.keys(project.asconfig.targets ?? {});
}

/** Where a target writes its module, relative to the project (as asconfig.json says). */
export function outFile(project: Project, target: string): string | undefined {
  return project.asconfig.targets?.[target]?.outFile ?? project.asconfig.options?.outFile;
}

/** A package's file as resolved from `dir`, or from this package when `dir` does not have it. */
function resolveFrom(dir: string, request: string): string | null {
  for (const base of [join(dir, "package.json"), fileURLToPath(import.meta.url)]) {
    try {
      return createRequire(base).resolve(request);
    } catch {
      // try the next place
    }
  }
  return null;
}

/** The asc command-line script: the project's assemblyscript, else the one this SDK uses. */
export function ascScript(dir: string): string {
  const manifest = resolveFrom(dir, "assemblyscript/package.json");
  if (manifest === null) {
    throw new ProjectError(
      "assemblyscript is not installed; run `npm install` in the project (it is a devDependency)",
    );
  }
  return join(dirname(manifest), "bin", "asc.js");
}

/**
 * Runs a command with the given stdio; resolves to its exit code (1 when killed). The child
 * is a test run of its own even when this one runs under node:test, so the runner's
 * NODE_TEST_CONTEXT (which would make it report to a parent instead of printing) is not passed.
 */
export function runProcess(
  command: string,
  args: string[],
  cwd: string,
  stdio: StdioOptions,
): Promise<number> {
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, stdio, env });
    child.on("error", fail);
    child.on("close", (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

export interface BuildResult {
  ok: boolean;
  target: string;
  exitCode: number;
  outFile?: string;
  bytes?: number;
  sha256?: string;
}

/**
 * Compiles the project's filter with asc for one asconfig target. asc's own output goes to
 * stdout/stderr untouched (to stderr only when `stdoutToStderr`, so a JSON result can own
 * stdout).
 */
export async function build(
  project: Project,
  target: string,
  stdoutToStderr = false,
): Promise<BuildResult> {
  const names = targetNames(project);
  if (!names.includes(target)) {
    throw new ProjectError(
      `asconfig.json has no target "${target}" (it has: ${names.join(", ") || "none"})`,
    );
  }
  const args = [ascScript(project.dir)];
  if (!project.asconfig.entries?.length) {
    const entry = join("assembly", "index.ts");
    if (!existsSync(join(project.dir, entry))) {
      throw new ProjectError(
        `${join(project.dir, entry)} is missing (or list the entry files in asconfig.json "entries")`,
      );
    }
    args.push(entry);
  }
  args.push("--target", target);
  const exitCode = await runProcess(process.execPath, args, project.dir, [
    "ignore",
    stdoutToStderr ? process.stderr : "inherit",
    "inherit",
  ]);
  const out = outFile(project, target);
  if (exitCode !== 0 || out === undefined) return { ok: exitCode === 0, target, exitCode };
  const path = join(project.dir, out);
  const bytes = await readFile(path);
  return {
    ok: true,
    target,
    exitCode,
    outFile: out,
    bytes: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
  };
}

/** The project's test files: test/**\/*.test.{ts,mts,js,mjs}, sorted, relative to the project. */
export async function testFiles(project: Project): Promise<string[]> {
  const found: string[] = [];
  async function walk(rel: string): Promise<void> {
    for (const entry of await readdir(join(project.dir, rel), { withFileTypes: true })) {
      if (entry.name === "node_modules") continue;
      const path = `${rel}/${entry.name}`;
      if (entry.isDirectory()) await walk(path);
      else if (/\.test\.(ts|mts|js|mjs)$/.test(entry.name)) found.push(path);
    }
  }
  const dir = join(project.dir, "test");
  if (existsSync(dir) && (await stat(dir)).isDirectory()) await walk("test");
  return found.sort();
}

/** What to give `node --import` so TypeScript tests run: the project's tsx, else ours. */
export function tsxLoader(dir: string): string {
  if (resolveFrom(dir, "tsx/package.json")?.startsWith(join(dir, "node_modules"))) return "tsx";
  try {
    return import.meta.resolve("tsx");
  } catch {
    throw new ProjectError("tsx is not installed; run `npm install` in the project");
  }
}

/** The nearest directory at or above `from` with an asconfig.json: the project a file belongs to. */
export function findProjectDir(from: string): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, "asconfig.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The most recently changed of a project's filter sources: assembly/**\/*.ts and asconfig.json. */
export async function newestSource(
  dir: string,
): Promise<{ path: string; mtimeMs: number } | undefined> {
  let newest: { path: string; mtimeMs: number } | undefined;
  const consider = async (path: string) => {
    const info = await stat(path).catch(() => undefined);
    if (info !== undefined && (newest === undefined || info.mtimeMs > newest.mtimeMs)) {
      newest = { path, mtimeMs: info.mtimeMs };
    }
  };
  async function walk(sub: string): Promise<void> {
    const entries = await readdir(sub, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      const path = join(sub, entry.name);
      if (entry.isDirectory() && entry.name !== "node_modules") await walk(path);
      else if (entry.isFile() && entry.name.endsWith(".ts")) await consider(path);
    }
  }
  await walk(join(dir, "assembly"));
  await consider(join(dir, "asconfig.json"));
  return newest;
}

/**
 * One warning line when `file` (a built module, or an image layout made from one) is older
 * than the sources of the project it sits in, i.e. a source changed after the last build;
 * undefined when it is up to date, missing, or in no project. `rebuild` says how to refresh it.
 */
export async function staleWarning(
  file: string,
  rebuild = "`npm run asbuild` (or `proxy-wasm-as build`)",
): Promise<string | undefined> {
  const info = await stat(file).catch(() => undefined);
  if (info === undefined) return undefined;
  // A layout directory's own mtime only moves when entries are added; index.json is rewritten.
  const built = info.isDirectory()
    ? ((await stat(join(file, "index.json")).catch(() => undefined))?.mtimeMs ?? info.mtimeMs)
    : info.mtimeMs;
  const dir = findProjectDir(dirname(resolve(file)));
  if (dir === undefined) return undefined;
  const source = await newestSource(dir);
  if (source === undefined || source.mtimeMs <= built) return undefined;
  return `warning: ${displayPath(resolve(file))} is older than ${displayPath(source.path)}; rebuild it with ${rebuild}`;
}
