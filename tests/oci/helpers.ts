// Test helpers for the OCI tests: the CLI as a child process, small Wasm modules, and real
// registries (Debian's docker-registry on 127.0.0.1), shared or started per test file.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const mainTs = join(repoRoot, "src", "cli", "main.ts");
// tsx by absolute URL, so the CLI can run with any working directory.
const tsxLoader = pathToFileURL(join(repoRoot, "node_modules", "tsx", "dist", "loader.mjs")).href;

/** True when every .ts under srcDir has a compiled .js in distDir at least as new as itself. */
function compiledIsFresh(srcDir: string, distDir: string): boolean {
  for (const entry of readdirSync(srcDir, { withFileTypes: true })) {
    const path = join(srcDir, entry.name);
    if (entry.isDirectory()) {
      if (!compiledIsFresh(path, join(distDir, entry.name))) return false;
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
      const js = join(distDir, entry.name.replace(/\.ts$/, ".js"));
      if (!existsSync(js) || statSync(js).mtimeMs < statSync(path).mtimeMs) return false;
    }
  }
  return true;
}

/**
 * How to start the CLI: its compiled form when `tsc -b` (npm test's pretest) has compiled every
 * source since it last changed — a third of tsx's start-up cost, and these tests start it
 * often — else the sources through tsx. (Each .js is compared with its .ts: the build info file
 * alone is no proof, `tsc --noEmit` rewrites it without emitting anything.)
 */
const cliCommand: string[] = (() => {
  const mainJs = join(repoRoot, "dist", "src", "cli", "main.js");
  const fresh =
    existsSync(mainJs) && compiledIsFresh(join(repoRoot, "src"), join(repoRoot, "dist", "src"));
  return fresh ? [mainJs] : ["--import", tsxLoader, mainTs];
})();

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Environment for CLI runs: no registry credentials leak in from the person running the tests. */
export function cleanEnv(extra: Record<string, string> = {}, home?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.PROXY_WASM_AS_REGISTRY_USER;
  delete env.PROXY_WASM_AS_REGISTRY_PASSWORD;
  delete env.REGISTRY_AUTH_FILE;
  delete env.XDG_RUNTIME_DIR;
  env.DOCKER_CONFIG = join(home ?? tmpdir(), "no-docker-config");
  if (home) env.HOME = home;
  return { ...env, ...extra };
}

// CLI runs default to an empty directory, so nothing in the checkout (runtime-config.json,
// build/) changes what a test sees.
const emptyCwd = mkdtempSync(join(tmpdir(), "pwa-cwd-"));
process.on("exit", () => rmSync(emptyCwd, { recursive: true, force: true }));

/** Runs `proxy-wasm-as ARGS` (see cliCommand), in an empty directory by default. */
export function cli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliCommand, ...args], {
      cwd: options.cwd ?? emptyCwd,
      env: options.env ?? cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function leb128(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (n !== 0);
  return Buffer.from(bytes);
}

/** A small valid Wasm module: the header plus one custom section carrying `payload`. */
export function tinyWasm(payload: string | Buffer = randomBytes(16)): Buffer {
  const name = Buffer.from("proxy-wasm-as-test");
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const body = Buffer.concat([leb128(name.length), name, data]);
  return Buffer.concat([
    Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]),
    Buffer.from([0x00]),
    leb128(body.length),
    body,
  ]);
}

export async function tempDir(
  prefix = "pwa-oci-",
): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function hasCommand(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

export interface Registry {
  /** http://127.0.0.1:PORT */
  url: string;
  /** 127.0.0.1:PORT, as written in image references. */
  host: string;
  /** The registry's storage root on disk. */
  storage: string;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(2000) });
    await res.body?.cancel();
    return res.status === 200 || res.status === 401;
  } catch {
    return false;
  }
}

const started = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of started) child.kill();
});

/**
 * Starts a docker-registry of our own on 127.0.0.1 (with htpasswd basic auth when given a file
 * of user:bcrypt-hash lines).
 */
export async function startRegistry(options: { htpasswd?: string } = {}): Promise<Registry> {
  if (!hasCommand("docker-registry")) {
    throw new Error("docker-registry is not installed (apt-get install docker-registry)");
  }
  const dir = await tempDir("pwa-registry-");
  const storage = join(dir.path, "storage");
  mkdirSync(storage);
  const port = await freePort();
  let auth = "";
  if (options.htpasswd !== undefined) {
    const file = join(dir.path, "htpasswd");
    writeFileSync(file, options.htpasswd);
    auth = `auth:\n  htpasswd:\n    realm: proxy-wasm-as-test\n    path: ${file}\n`;
  }
  const config = join(dir.path, "config.yml");
  writeFileSync(
    config,
    `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${storage}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${port}
  secret: proxy-wasm-as-tests
${auth}`,
  );
  const child = spawn("docker-registry", ["serve", config], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  started.add(child);
  let log = "";
  child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    started.delete(child);
    if (child.exitCode === null) {
      const closed = new Promise((r) => child.once("close", r));
      child.kill();
      await closed;
    }
    await dir.remove();
  };
  for (let i = 0; i < 100; i++) {
    if (await answers(url)) return { url, host: `127.0.0.1:${port}`, storage, stop };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`docker-registry did not start on ${url}: ${log}`);
}

/**
 * The registry `scripts/registry.sh start` runs (its URL in .tmp/registry/url), or else one
 * started for this test file. `stop()` only stops a registry that was started here.
 */
export async function sharedRegistry(): Promise<Registry> {
  const state = join(repoRoot, ".tmp", "registry");
  const urlFile = join(state, "url");
  const storageFile = join(state, "storage-dir");
  if (existsSync(urlFile) && existsSync(storageFile)) {
    const url = readFileSync(urlFile, "utf8").trim();
    const storage = readFileSync(storageFile, "utf8").trim();
    if (await answers(url)) {
      return { url, host: new URL(url).host, storage, stop: async () => {} };
    }
  }
  return startRegistry();
}

/** The path of a blob's data file in a docker-registry's filesystem storage. */
export function blobDataPath(storage: string, digest: string): string {
  const hex = digest.slice("sha256:".length);
  return join(storage, "docker", "registry", "v2", "blobs", "sha256", hex.slice(0, 2), hex, "data");
}

/** A bcrypt hash for htpasswd: bcryptjs when installed, else Python's crypt; undefined if neither. */
export async function bcryptHash(password: string): Promise<string | undefined> {
  try {
    const specifier = "bcryptjs";
    const mod = (await import(specifier)) as {
      default?: { hashSync(p: string, r: number): string };
      hashSync?(p: string, r: number): string;
    };
    const hashSync = mod.hashSync ?? mod.default?.hashSync;
    if (hashSync) return hashSync(password, 8);
  } catch {
    // fall through to python
  }
  for (const python of ["python3", "/usr/bin/python3"]) {
    const result = spawnSync(
      python,
      [
        "-W",
        "ignore",
        "-c",
        "import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=256)))",
        password,
      ],
      { encoding: "utf8" },
    );
    const hash = result.stdout?.trim();
    if (result.status === 0 && hash?.startsWith("$2")) return hash;
  }
  return undefined;
}

/** A unique repository name per call, so tests never see each other's tags. */
export function uniqueRepo(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}
