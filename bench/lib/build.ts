// Builds every contender of the bench: our SDK's workload filters (asc JS API, the project's
// AssemblyScript 0.27 and asconfig.json, with the runtime overridden per variant), the
// hand-written WAT limits (wabt), and the other SDKs, installed with npm into a temporary folder
// and compiled there with their own AssemblyScript version.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { promisify } from "node:util";
import wabtInit from "wabt";

const run = promisify(execFile);

export const ROOT = resolve(new URL("../..", import.meta.url).pathname);
export const BENCH = join(ROOT, "bench");
export const OUT = join(ROOT, "bench", "build");

/** Log a line of progress on stderr (the report goes to RESULTS.md). */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

type AscMain = (
  argv: string[],
  options: { stdout?: unknown; stderr?: unknown },
) => Promise<{ error: Error | null }>;

let ascPromise: Promise<AscMain> | null = null;
function asc(): Promise<AscMain> {
  ascPromise ??= import("assemblyscript/asc").then((m) => m.default.main as unknown as AscMain);
  return ascPromise;
}

/**
 * Compiles one of our filters with the release target of asconfig.json, optionally with another
 * `--runtime` (and `--stackSize`). Returns the wasm bytes (also written to `out`).
 */
export async function buildOurs(
  entry: string,
  out: string,
  options: { runtime?: string; stackSize?: number } = {},
): Promise<Uint8Array> {
  const main = await asc();
  mkdirSync(join(out, ".."), { recursive: true });
  const args = [
    entry,
    "--config",
    join(ROOT, "asconfig.json"),
    "--target",
    "release",
    "--outFile",
    out,
    "--textFile",
    out.replace(/\.wasm$/, ".wat"),
  ];
  if (options.runtime) args.push("--runtime", options.runtime);
  if (options.stackSize !== undefined) args.push("--stackSize", String(options.stackSize));
  let errors = "";
  const { error } = await main(args, {
    stderr: { write: (s: string) => ((errors += s), true) },
    stdout: { write: () => true },
  });
  if (error) throw new Error(`asc ${basename(entry)}: ${errors || error.message}`);
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

/** An SDK from npm, compiled in a temporary folder with its own AssemblyScript. */
export interface ForeignSdk {
  name: string;
  /** What `npm install` gets. */
  packages: string[];
  /** Path of asc's CLI inside the temporary node_modules. */
  ascBin: string;
  /** asc flags besides entry and output (output flag differs across versions). */
  flags: string[];
  outFlag: string;
}

/**
 * Installs `sdk.packages` into a fresh temporary folder (never into the project). Returns the
 * folder, or throws with npm's output.
 */
export async function installForeign(sdk: ForeignSdk): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `proxy-wasm-as-bench-${sdk.name}-`));
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
  return dir;
}

/** Compiles one contender filter (a file of bench/contenders/<name>/) inside `dir`. */
export async function buildForeign(
  sdk: ForeignSdk,
  dir: string,
  source: string,
  out: string,
): Promise<Uint8Array> {
  const filters = join(dir, "filters");
  mkdirSync(filters, { recursive: true });
  const entry = join(filters, basename(source));
  cpSync(source, entry);
  const target = join(filters, basename(source).replace(/\.ts$/, ".wasm"));
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
  mkdirSync(join(out, ".."), { recursive: true });
  writeFileSync(out, bytes);
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
      "2",
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
      "2",
      "--converge",
      "--noAssert",
    ],
  },
];
