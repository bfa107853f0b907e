// How a project made by `init` (or moved by `migrate`) gets the SDK. Until proxy-wasm-as is in
// the npm registry, a `^VERSION` range cannot install, so a CLI that runs from a checkout or
// from an `npm pack` tarball packs this SDK into the project (vendor/…tgz) and depends on that
// file: `npm install` and `npm ci` both take it, offline, and the lockfile pins its integrity.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { dirname, isAbsolute, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The directory of this package (the one holding templates/ and examples/). */
export function sdkRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && existsSync(join(dir, "templates"))) {
      try {
        if (
          (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "proxy-wasm-as"
        )
          return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error("cannot find the proxy-wasm-as package (templates/ is missing)");
    dir = parent;
  }
}

/** This package's version, for the default dependency spec `^VERSION`. */
export function sdkVersion(): string {
  const manifest = JSON.parse(readFileSync(join(sdkRoot(), "package.json"), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

/** What goes into the project's package.json, and the files written for it. */
export interface SdkDependency {
  /** The dependency spec: `^0.1.0`, `file:vendor/proxy-wasm-as-0.1.0.tgz`, or the user's own. */
  spec: string;
  /** Files written into the project for the spec, relative and "/"-separated. */
  files: string[];
  /** Where the spec comes from. */
  source: "registry" | "packed" | "given";
}

/** The SDK cannot be made a dependency; the message says why and what to do. */
export class SdkDependencyError extends Error {}

/** Where the packed SDK goes inside a project. */
export const VENDOR_DIR = "vendor";

/**
 * How this copy of the SDK was installed: "registry" when npm fetched it from a registry (its
 * lockfile entry says so), "local" for a checkout, a tarball install or anything else.
 */
export function sdkOrigin(root: string = sdkRoot()): "registry" | "local" {
  const parts = root.split(sep);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) return "local"; // a checkout
  const installDir = parts.slice(0, at).join(sep) || sep;
  const key = parts.slice(at).join("/");
  // npm keeps a copy of the lockfile inside node_modules (also for npx's own installs).
  for (const lock of [
    join(installDir, "node_modules", ".package-lock.json"),
    join(installDir, "package-lock.json"),
  ]) {
    let entry: { resolved?: string } | undefined;
    try {
      const parsed = JSON.parse(readFileSync(lock, "utf8")) as {
        packages?: Record<string, { resolved?: string }>;
      };
      entry = parsed.packages?.[key];
    } catch {
      continue;
    }
    if (entry === undefined) continue;
    return /^https?:\/\//.test(entry.resolved ?? "") ? "registry" : "local";
  }
  return "local";
}

/** Checks a `file:` spec from the user against the project it is written into. */
function checkGiven(projectDir: string, spec: string): void {
  if (!spec.startsWith("file:")) return;
  const target = spec.slice("file:".length);
  const path = isAbsolute(target) ? target : resolve(projectDir, target);
  if (!existsSync(path)) {
    throw new SdkDependencyError(
      `--sdk ${spec}: ${path} does not exist (a file: spec is read relative to the project ` +
        `directory, ${projectDir}); give the path of a proxy-wasm-as checkout or of the tarball ` +
        "`npm pack` made in it",
    );
  }
  if (!path.endsWith(".tgz") && !existsSync(join(path, "package.json"))) {
    throw new SdkDependencyError(
      `--sdk ${spec}: ${path} is neither a .tgz tarball nor a directory with a package.json`,
    );
  }
}

/** Whether `root` is a clone of the repository (it has the TypeScript sources' tsconfig). */
export function isCheckout(root: string = sdkRoot()): boolean {
  return existsSync(join(root, "tsconfig.json")) && existsSync(join(root, "src", "cli"));
}

/**
 * Packs this SDK with `npm pack` into `<projectDir>/vendor/`. In a clone, npm's `prepack` step
 * compiles dist/ first, so the tarball never carries a stale CLI; an installed copy has nothing
 * left to build, so its scripts are not run.
 */
/** Where `packInto` puts the tarball in a project: npm names it <name>-<version>.tgz. */
function packedFile(): string {
  return `${VENDOR_DIR}/proxy-wasm-as-${sdkVersion()}.tgz`;
}

async function packInto(projectDir: string): Promise<string> {
  const root = sdkRoot();
  const checkout = isCheckout(root);
  if (!checkout && !existsSync(join(root, "dist", "src", "cli", "main.js"))) {
    throw new SdkDependencyError(
      `${join(root, "dist")} is missing, so this copy of proxy-wasm-as is incomplete and ` +
        "cannot be packed for the new project; reinstall it, or pass --sdk SPEC",
    );
  }
  const vendor = join(projectDir, VENDOR_DIR);
  await mkdir(vendor, { recursive: true });
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  // npm's own output (prepack's among it) is kept only for the error message.
  const file = packedFile();
  const result = spawnSync(
    npm,
    ["pack", ...(checkout ? [] : ["--ignore-scripts"]), "--pack-destination", vendor],
    { encoding: "utf8", cwd: root, env: { ...process.env, npm_config_loglevel: "error" } },
  );
  if (result.status !== 0 || !existsSync(join(projectDir, file))) {
    await rm(vendor, { recursive: true, force: true });
    const output = `${result.stderr ?? ""}${result.stdout ?? ""}`.trim();
    const why =
      result.error?.message ?? (output.split("\n").slice(-5).join("\n") || `exit ${result.status}`);
    throw new SdkDependencyError(
      `could not pack the SDK (${root}) into ${vendor} with \`npm pack\`: ${why}; ` +
        "pass --sdk SPEC to choose the dependency yourself",
    );
  }
  return file;
}

/**
 * Works out the proxy-wasm-as dependency of a new or migrated project and writes what it needs
 * into `projectDir`:
 * - `given` (the user's --sdk) is used as it is, after a check that a `file:` path exists;
 * - a CLI installed from the registry writes `^VERSION`;
 * - a CLI run from a checkout or a tarball packs this SDK into vendor/ and writes `file:vendor/…`.
 * With `dryRun` nothing is written (packing is slow: npm pack compiles a clone first); the
 * answer names the tarball a real run would write.
 */
export async function sdkDependency(
  projectDir: string,
  given?: string,
  dryRun = false,
): Promise<SdkDependency> {
  const dir = resolve(projectDir);
  if (given !== undefined) {
    checkGiven(dir, given);
    return { spec: given, files: [], source: "given" };
  }
  if (sdkOrigin() === "registry")
    return { spec: `^${sdkVersion()}`, files: [], source: "registry" };
  const file = dryRun ? packedFile() : await packInto(dir);
  return { spec: `file:${file}`, files: [file], source: "packed" };
}
