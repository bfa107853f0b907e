// `proxy-wasm-as migrate`: a project made by `wasme init` (AssemblyScript 0.14 and
// @solo-io/proxy-runtime) becomes a proxy-wasm-as project that builds with AssemblyScript 0.27.
// The rules are in ../migrate.ts; this reads the project, runs them, prints and writes.
import { existsSync, readFileSync } from "node:fs";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command } from "../command.js";
import { UsageError, parseArgs, stringFlag } from "../command.js";
import {
  type Change,
  MigrateError,
  OLD_SDKS,
  type Rewrite,
  formatChange,
  migrateAsconfig,
  migratePackageJson,
  migrateRuntimeConfig,
  parseJsonFile,
  sdkDependencies,
} from "../migrate.js";
import { displayPath } from "../scaffold.js";
import { SdkDependencyError, sdkDependency, sdkRoot } from "../sdk_dependency.js";

const help = `usage: proxy-wasm-as migrate [DIR] [options]

Moves the wasme-era project in DIR (default: the current directory) — one made by \`wasme init\`
for AssemblyScript, depending on @solo-io/proxy-runtime, or one depending on
@gcoredev/proxy-wasm-sdk-as — to proxy-wasm-as, leaving its assembly/ sources as they are:
  package.json         @solo-io/proxy-runtime or @gcoredev/proxy-wasm-sdk-as → proxy-wasm-as,
                       an older assemblyscript → the version the SDK is built with, and
                       asbuild scripts with the old asc flags
                       (-b, -t, --optimize, --sourceMap, --use abort=abort_proc_exit) →
                       \`asc assembly/index.ts --target debug|release\`
  asconfig.json        extends node_modules/proxy-wasm-as/asconfig.compat.json (where the
                       imports of both packages resolve) with debug and release targets;
                       created when missing, other settings kept
  runtime-config.json  old abiVersions (v0-…, v0.2.1) → the ABI the SDK implements
Every change is printed as "file: field: before → after". A second run changes nothing.
Then: npm install && npm run asbuild.

options:
  --dry-run        print the changes without writing anything
  --sdk SPEC       the proxy-wasm-as dependency spec written into package.json (default: the
                   SDK packed into vendor/ when this CLI runs from a checkout or a tarball,
                   ^VERSION when it came from the npm registry)`;

/** Whether any source under assembly/ imports one of OLD_SDKS (so needs the compat paths). */
async function importsOldSdk(dir: string): Promise<boolean> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  for (const e of entries) {
    if (e.name === "node_modules") continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (await importsOldSdk(path)) return true;
    } else if (e.name.endsWith(".ts")) {
      const text = await readFile(path, "utf8");
      if (OLD_SDKS.some((name) => text.includes(`"${name}`) || text.includes(`'${name}`))) {
        return true;
      }
    }
  }
  return false;
}

/** A file's text, or undefined when it does not exist. */
async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/** What this SDK is built with and declares: the versions a migrated project moves to. */
function sdkFacts(): { assemblyscript: string; abiVersions: string[] } {
  const root = sdkRoot();
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    devDependencies: Record<string, string>;
  };
  const runtime = JSON.parse(readFileSync(join(root, "runtime-config.json"), "utf8")) as {
    abiVersions: string[];
  };
  return { assemblyscript: pkg.devDependencies.assemblyscript, abiVersions: runtime.abiVersions };
}

async function migrate(dir: string, given: string | undefined, dryRun: boolean): Promise<number> {
  const where = displayPath(dir);
  const pkgText = await readIfThere(join(dir, "package.json"));
  if (pkgText === undefined) {
    throw new MigrateError(
      existsSync(dir)
        ? `${where} has no package.json, so it is not a wasme-era project; run migrate in the ` +
            "directory `wasme init` made (the one with package.json and assembly/index.ts)"
        : `${where} does not exist`,
    );
  }
  const pkg = parseJsonFile("package.json", pkgText);
  const deps = sdkDependencies(pkg);
  const oldImports = await importsOldSdk(join(dir, "assembly"));
  if (!deps.old && !deps.sdk && !oldImports) {
    throw new MigrateError(
      `${where} is not a wasme-era project: its package.json depends on neither ` +
        `${OLD_SDKS.join(" / ")} nor proxy-wasm-as, and assembly/ imports nothing from them`,
    );
  }
  const facts = sdkFacts();

  // The other files first: one that cannot be read stops the run before anything is packed.
  const rewrites: [string, Rewrite][] = [];
  if (deps.old || oldImports) {
    rewrites.push([
      "asconfig.json",
      migrateAsconfig(await readIfThere(join(dir, "asconfig.json"))),
    ]);
  }
  const runtimeText = await readIfThere(join(dir, "runtime-config.json"));
  if (runtimeText !== undefined) {
    rewrites.push(["runtime-config.json", migrateRuntimeConfig(runtimeText, facts.abiVersions)]);
  }

  const packageRewrite = (spec?: string) =>
    migratePackageJson(pkgText, {
      sdkSpec: spec,
      assemblyscript: facts.assemblyscript,
      replaceSdk: given !== undefined,
    });
  let sdkFiles: string[] = [];
  let pkgRewrite: Rewrite;
  // A given spec is checked (a file: path must exist) even when the project has proxy-wasm-as.
  const needsSpec = !deps.sdk || given !== undefined;
  if (needsSpec) {
    let chosen;
    try {
      chosen = await sdkDependency(dir, given, dryRun);
    } catch (err) {
      if (err instanceof SdkDependencyError) throw new MigrateError(err.message);
      throw err;
    }
    sdkFiles = chosen.files;
    pkgRewrite = packageRewrite(chosen.spec);
  } else {
    pkgRewrite = packageRewrite(undefined);
  }
  rewrites.unshift(["package.json", pkgRewrite]);

  const changes: Change[] = rewrites.flatMap(([, r]) => r.changes);
  for (const file of sdkFiles) {
    changes.push({ file, field: "", before: "(none)", after: "the proxy-wasm-as package, packed" });
  }
  if (changes.length === 0) {
    console.log(`nothing to migrate: ${where} is already a proxy-wasm-as project`);
    return 0;
  }
  for (const c of changes) console.log(formatChange(c));
  if (dryRun) {
    console.log(`\ndry run: nothing written (${changes.length} changes)`);
    return 0;
  }
  for (const [file, r] of rewrites) {
    if (r.changes.length > 0) await writeFile(join(dir, file), r.text);
  }
  console.log(
    `\nMigrated ${where} (${changes.length} changes). Next: npm install && npm run asbuild`,
  );
  return 0;
}

async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, ["sdk"], ["dry-run"]);
  if (parsed.positionals.length > 1) throw new UsageError("only one DIR can be given");
  const given = stringFlag(parsed, "sdk");
  if (given !== undefined && given.trim() === "") throw new UsageError("--sdk is empty");
  const dir = resolve(parsed.positionals[0] ?? ".");
  try {
    return await migrate(dir, given, parsed.flags.has("dry-run"));
  } catch (err) {
    if (err instanceof MigrateError) {
      console.error(`proxy-wasm-as migrate: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

export const command: Command = {
  name: "migrate",
  summary: "move a wasme / @solo-io/proxy-runtime project to proxy-wasm-as",
  help,
  run,
};
