// Builds every contender of the bench: our SDK's workload filters (asc JS API on worker threads,
// the project's AssemblyScript 0.27 and asconfig.json, with the runtime overridden per variant),
// the hand-written WAT limits (wabt), and the other SDKs, installed with npm into
// bench/build/foreign/ and compiled there with their own AssemblyScript version. Every output
// has a stamp (a hash of what it was built from), so a second run rebuilds only what changed.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { availableParallelism } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { Worker } from "node:worker_threads";
import wabtInit from "wabt";

const run = promisify(execFile);

export const ROOT = resolve(new URL("../..", import.meta.url).pathname);
export const BENCH = join(ROOT, "bench");
export const OUT = join(ROOT, "bench", "build");

/** Log a line of progress on stderr (the report goes to RESULTS.md). */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Files whose content decides what our filters compile to, besides the filter itself. */
function sdkFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(join(ROOT, "assembly"));
  for (const f of [
    "index.ts",
    "proxy.ts",
    "asconfig.json",
    "asconfig.base.json",
    "node_modules/assemblyscript/package.json",
    "node_modules/assemblyscript-json/package.json",
  ])
    if (existsSync(join(ROOT, f))) files.push(join(ROOT, f));
  return files.sort();
}

let sdkHash: string | null = null;
function hashOf(files: string[], extra: unknown): string {
  const h = createHash("sha256").update(JSON.stringify(extra));
  for (const f of files) h.update(`${f}\0`).update(readFileSync(f));
  return h.digest("hex");
}

/** The output is reused when its stamp (a hash of every input) is unchanged. */
function upToDate(outputs: string[], stamp: string, hash: string): boolean {
  return (
    outputs.every((f) => existsSync(f)) &&
    existsSync(stamp) &&
    readFileSync(stamp, "utf8").trim() === hash
  );
}

/** Compiler worker threads, at most one per core (created on first use). */
class AscPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: ((w: Worker) => void)[] = [];
  private readonly waiting = new Map<number, (problem: string | null) => void>();
  private next = 0;

  compile(args: string[]): Promise<string | null> {
    return new Promise((resolve, reject) => {
      const run = (w: Worker) => {
        const id = ++this.next;
        this.waiting.set(id, (problem) => {
          this.release(w);
          resolve(problem);
        });
        w.postMessage({ id, args });
      };
      const w = this.idle.pop() ?? this.spawn(reject);
      if (w) run(w);
      else this.queue.push(run);
    });
  }

  private spawn(reject: (e: Error) => void): Worker | undefined {
    if (this.workers.length >= Math.max(1, availableParallelism())) return undefined;
    const w = new Worker(new URL("./asc_worker.mjs", import.meta.url));
    w.on("message", ({ id, problem }: { id: number; problem: string | null }) => {
      const done = this.waiting.get(id);
      this.waiting.delete(id);
      done?.(problem);
    });
    w.on("error", (e) => reject(e));
    this.workers.push(w);
    return w;
  }

  private release(w: Worker): void {
    const run = this.queue.shift();
    if (run) run(w);
    else this.idle.push(w);
  }

  /** Stops the workers (the bench is done compiling). */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
    this.idle.length = 0;
  }
}

export const ascPool = new AscPool();

/**
 * Compiles one of our filters with the release target of asconfig.json, optionally with another
 * `--runtime` (and `--stackSize`), on a compiler worker; reused when nothing it depends on
 * changed. Returns the wasm bytes (also written to `out`, with the .wat beside it).
 */
export async function buildOurs(
  entry: string,
  out: string,
  options: { runtime?: string; stackSize?: number } = {},
): Promise<Uint8Array> {
  const wat = out.replace(/\.wasm$/, ".wat");
  const args = [
    entry,
    "--config",
    join(ROOT, "asconfig.json"),
    "--target",
    "release",
    "--outFile",
    out,
    "--textFile",
    wat,
  ];
  if (options.runtime) args.push("--runtime", options.runtime);
  if (options.stackSize !== undefined) args.push("--stackSize", String(options.stackSize));
  sdkHash ??= hashOf(sdkFiles(), "sdk");
  const hash = hashOf([entry], { sdkHash, args });
  const stamp = `${out}.stamp`;
  if (!upToDate([out, wat], stamp, hash)) {
    mkdirSync(dirname(out), { recursive: true });
    rmSync(stamp, { force: true });
    const problem = await ascPool.compile(args);
    if (problem) throw new Error(`asc ${basename(entry)}: ${problem}`);
    writeFileSync(stamp, `${hash}\n`);
  }
  return new Uint8Array(readFileSync(out));
}

let wabtPromise: ReturnType<typeof wabtInit> | null = null;

/** Compiles a WAT file with the npm `wabt` package. */
export async function buildWat(file: string, out: string): Promise<Uint8Array> {
  wabtPromise ??= wabtInit();
  const wabt = await wabtPromise;
  const mod = wabt.parseWat(basename(file), readFileSync(file, "utf8"), {
    bulk_memory: true,
    mutable_globals: true,
    sign_extension: true,
  });
  try {
    mod.resolveNames();
    mod.validate();
    const bytes = mod.toBinary({}).buffer;
    mkdirSync(join(out, ".."), { recursive: true });
    writeFileSync(out, bytes);
    return bytes;
  } finally {
    mod.destroy();
  }
}

/** An SDK from npm, compiled in bench/build/foreign/<name> with its own AssemblyScript. */
export interface ForeignSdk {
  name: string;
  /** What `npm install` gets. */
  packages: string[];
  /** Path of asc's CLI inside its node_modules. */
  ascBin: string;
  /** asc flags besides entry and output (output flag differs across versions). */
  flags: string[];
  outFlag: string;
}

/**
 * Installs `sdk.packages` into bench/build/foreign/<name> (never into the project), or reuses
 * that folder when it holds exactly these packages already. Returns the folder, or throws with
 * npm's output.
 */
export async function installForeign(sdk: ForeignSdk): Promise<string> {
  const dir = join(OUT, "foreign", sdk.name);
  const stamp = join(dir, "installed.stamp");
  const hash = JSON.stringify(sdk.packages);
  if (upToDate([join(dir, sdk.ascBin)], stamp, hash)) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "bench", private: true }));
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  try {
    await run(npm, ["install", "--no-audit", "--no-fund", "--loglevel=error", ...sdk.packages], {
      cwd: dir,
      timeout: 300_000,
      maxBuffer: 16 << 20,
    });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`npm install ${sdk.packages.join(" ")}: ${err.stderr || err.message}`);
  }
  writeFileSync(stamp, `${hash}\n`);
  return dir;
}

/**
 * Compiles one contender filter (a file of bench/contenders/<name>/) inside `dir`; reused when
 * the source, the packages and the flags are unchanged.
 */
export async function buildForeign(
  sdk: ForeignSdk,
  dir: string,
  source: string,
  out: string,
): Promise<Uint8Array> {
  const stamp = `${out}.stamp`;
  const hash = hashOf([source], sdk);
  if (upToDate([out], stamp, hash)) return new Uint8Array(readFileSync(out));
  const filters = join(dir, "filters");
  mkdirSync(filters, { recursive: true });
  const entry = join(filters, basename(source));
  cpSync(source, entry);
  const target = join(filters, basename(source).replace(/\.ts$/, ".wasm"));
  rmSync(target, { force: true });
  try {
    await run(process.execPath, [join(dir, sdk.ascBin), entry, sdk.outFlag, target, ...sdk.flags], {
      cwd: dir,
      timeout: 300_000,
      maxBuffer: 16 << 20,
    });
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    const text = `${err.stderr ?? ""}${err.stdout ?? ""}` || err.message;
    throw new Error(`${sdk.name} ${basename(source)}: ${text.split("\n").slice(-12).join("\n")}`);
  }
  if (!existsSync(target)) throw new Error(`${sdk.name} ${basename(source)}: no output`);
  const bytes = new Uint8Array(readFileSync(target));
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, bytes);
  writeFileSync(stamp, `${hash}\n`);
  return bytes;
}

export const FOREIGN: ForeignSdk[] = [
  {
    name: "gcore",
    packages: [
      "@gcoredev/proxy-wasm-sdk-as@1.2.3",
      "assemblyscript@0.28",
      "@assemblyscript/wasi-shim@0.1.0",
      "assemblyscript-json@1.1.0",
    ],
    ascBin: "node_modules/assemblyscript/bin/asc.js",
    outFlag: "-o",
    // Its README's abort, the WASI shim its logging needs, and our release optimisation.
    flags: [
      "--config",
      "node_modules/@assemblyscript/wasi-shim/asconfig.json",
      "--use",
      "abort=abort_proc_exit",
      "-O3",
      "--shrinkLevel",
      "1",
      "--converge",
      "--noAssert",
    ],
  },
  {
    name: "solo",
    packages: [
      "@solo-io/proxy-runtime@0.1.8",
      "assemblyscript@0.14.13",
      "assemblyscript-json@1.1.0",
    ],
    ascBin: "node_modules/assemblyscript/bin/asc",
    outFlag: "-b",
    flags: [
      "--use",
      "abort=abort_proc_exit",
      "-O3",
      "--shrinkLevel",
      "1",
      "--converge",
      "--noAssert",
    ],
  },
];
