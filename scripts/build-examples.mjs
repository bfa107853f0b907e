// Builds the filters of this checkout, incrementally and on every core:
//   examples/<name>/assembly/index.ts → examples/<name>/build/optimized.wasm   (name: <name>)
//   tests/filters/<name>.ts → tests/filters/build/<name>.wasm                 (name: test:<name>)
//   tests/proxy/filters/<name>.ts → tests/proxy/build/<name>.wasm              (name: proxy:<name>)
//   the default example → build/optimized.wasm (name: default), build/untouched.wasm (default:debug)
// With --also-0.28 each example and test filter is compiled once more with AssemblyScript 0.28
// (into build/as0.28/) to prove the SDK builds on both; --only-0.28 builds just those.
// The examples group also builds each example with every proxy_on_* callback exported
// (PROXY_WASM_AS_EXPORTS=all, see assembly/transform/exports.js) into
// build/all-exports/examples/<name>/build/optimized.wasm (name: all-exports:<name>), for
// tests/abi/lean_differential.test.ts and for measuring the lean shape against it.
//
// Arguments name what to build (an example, test:<name>, or a group: examples, tests, proxy,
// default); none means all of them. A module is compiled only when its stamp (<out>.stamp, a
// hash of its sources, the SDK, the asconfig files and the compiler's version) differs or an
// output is missing. --jobs N (or PROXY_WASM_AS_BUILD_JOBS) caps the parallel compilers.
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker, isMainThread, parentPort } from "node:worker_threads";

// Module state, declared before main() runs below.
let newestSdk;
const COMPILERS = { 0.27: "assemblyscript/asc", 0.28: "assemblyscript-0.28/asc" };

if (!isMainThread) {
  // A compiler worker: one asc per worker thread (binaryen keeps global state, so two compiles
  // never share one).
  const loaded = new Map();
  parentPort.on("message", async ({ id, version, args, exportsMode }) => {
    let errors = "";
    try {
      // Read by the SDK's exports transform; this worker's environment is its own.
      process.env.PROXY_WASM_AS_EXPORTS = exportsMode ?? "lean";
      if (!loaded.has(version)) loaded.set(version, (await import(COMPILERS[version])).default);
      const { error } = await loaded.get(version).main(args, {
        stderr: { write: (s) => ((errors += s), true) },
        stdout: { write: () => true },
      });
      parentPort.postMessage({ id, problem: error ? errors || String(error) : null });
    } catch (e) {
      parentPort.postMessage({ id, problem: errors + String(e?.stack ?? e) });
    }
  });
} else {
  await main();
}

async function main() {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  process.chdir(root);
  await import("./link-self.mjs");

  const argv = process.argv.slice(2);
  const flag = (name) => argv.includes(name);
  const jobsArg = argv.indexOf("--jobs");
  const maxJobs =
    Number(jobsArg >= 0 ? argv[jobsArg + 1] : process.env.PROXY_WASM_AS_BUILD_JOBS) ||
    availableParallelism();
  const names = argv.filter((a, i) => !a.startsWith("--") && argv[i - 1] !== "--jobs");
  const versions = flag("--only-0.28")
    ? ["0.28"]
    : flag("--also-0.28")
      ? ["0.27", "0.28"]
      : ["0.27"];

  const modules = selected(allModules(versions), names);
  if (modules.length === 0) {
    process.stderr.write(`nothing matches ${names.join(" ")}\n`);
    process.exit(2);
  }

  const fingerprints = compilerFingerprints();
  const sdk = sdkHash();
  const pending = [];
  for (const m of modules) {
    const sources = sourcesOf(m.entry);
    const hash = createHash("sha256")
      .update(JSON.stringify({ recipe: m.kind, compiler: fingerprints[m.version], sdk }))
      .update(hashFiles(sources))
      .digest("hex");
    const stamp = `${m.out}.stamp`;
    const upToDate =
      m.outputs.every((f) => existsSync(f)) &&
      existsSync(stamp) &&
      readFileSync(stamp, "utf8").trim() === hash;
    if (upToDate) {
      freshen(m.outputs, sources);
      process.stdout.write(`· ${m.label} up to date: ${m.out}\n`);
    } else {
      pending.push({ ...m, hash, stamp });
    }
  }
  if (pending.length === 0) return;

  // Identical recipes (the default example and examples/add_header) compile once and are copied.
  const byHash = new Map();
  for (const m of pending) {
    const same = byHash.get(m.hash);
    if (same) same.copies.push(m);
    else byHash.set(m.hash, { ...m, copies: [] });
  }
  const work = [...byHash.values()];
  const workers = [];
  const waiting = new Map();
  let next = 0;
  let failed = 0;
  const jobs = Math.max(1, Math.min(maxJobs, work.length));
  for (let i = 0; i < jobs; i++) {
    const worker = new Worker(fileURLToPath(import.meta.url));
    worker.on("message", ({ id, problem }) => waiting.get(id)(problem));
    worker.on("error", (e) => {
      process.stderr.write(`a compiler worker failed: ${e?.stack ?? e}\n`);
      process.exit(1);
    });
    workers.push(worker);
  }
  const compile = (worker, m) =>
    new Promise((done) => {
      waiting.set(m.id, done);
      worker.postMessage({
        id: m.id,
        version: m.version,
        args: m.args,
        exportsMode: m.exportsMode,
      });
    });
  const versionsToBuild = [...new Set(work.map((m) => m.version))];
  await Promise.all(
    workers.map(async (worker, i) => {
      // Each worker keeps to one compiler while it has work for it: loading and warming up a
      // compiler costs as much as two or three builds.
      const own = versionsToBuild[i % versionsToBuild.length];
      for (;;) {
        let at = work.findIndex((m) => m.version === own);
        if (at < 0) at = 0;
        const [m] = work.splice(at, 1);
        if (!m) break;
        m.id = ++next;
        for (const x of [m, ...m.copies]) rmSync(x.stamp, { force: true });
        for (const f of m.outputs) mkdirSync(dirname(f), { recursive: true });
        const started = Date.now();
        const problem = await compile(worker, m);
        const took = ((Date.now() - started) / 1000).toFixed(1);
        if (problem) {
          failed += 1 + m.copies.length;
          process.stderr.write(`✗ ${m.label}\n${problem}\n`);
          continue;
        }
        writeFileSync(m.stamp, m.hash + "\n");
        process.stdout.write(`✓ ${m.label} → ${m.out} (${took} s)\n`);
        for (const copy of m.copies) {
          m.outputs.forEach((f, i) => {
            mkdirSync(dirname(copy.outputs[i]), { recursive: true });
            copyFileSync(f, copy.outputs[i]);
          });
          writeFileSync(copy.stamp, copy.hash + "\n");
          process.stdout.write(`✓ ${copy.label} → ${copy.out} (same build as ${m.out})\n`);
        }
      }
    }),
  );
  await Promise.all(workers.map((w) => w.terminate()));
  if (failed) {
    process.stderr.write(`${failed} build(s) failed\n`);
    process.exit(1);
  }
}

/** Every module this checkout can build, for the compilers asked for. */
function allModules(versions) {
  const list = [];
  const add = (
    group,
    name,
    entry,
    out027,
    out028,
    target = "release",
    only = versions,
    exportsMode = "lean",
  ) => {
    for (const version of only.filter((v) => versions.includes(v))) {
      const out = version === "0.27" ? out027 : out028;
      if (!out) continue;
      const wat = out.replace(/\.wasm$/, ".wat");
      const args = [entry, "--config", "asconfig.json", "--target", target, "--outFile", out];
      args.push("--textFile", wat);
      // The everything-exported builds exist only for the lean differential test, which compares
      // behaviour, not code: unoptimized, they build in a third of the time.
      const levels = exportsMode === "all" ? ["--optimizeLevel", "0", "--shrinkLevel", "0"] : [];
      args.push(...levels);
      const outputs = [out, wat];
      if (target === "debug") outputs.push(`${out}.map`);
      list.push({
        group,
        name,
        entry,
        out,
        outputs,
        version,
        exportsMode,
        // What decides the module's bytes (not the output's name): builds alike are made once.
        kind: `${entry} --config asconfig.json --target ${target} ${levels.join(" ")} ${version} ${exportsMode}`,
        args,
        label: `${name} (AssemblyScript ${version}${target === "debug" ? ", debug" : ""})`,
      });
    }
  };
  const defaultEntry = join("examples", "add_header", "assembly", "index.ts");
  if (existsSync(defaultEntry)) {
    add("default", "default", defaultEntry, "build/optimized.wasm", undefined, "release", ["0.27"]);
    const debug = "build/untouched.wasm";
    add("default", "default:debug", defaultEntry, debug, undefined, "debug", ["0.27"]);
  }
  for (const name of readdirSync("examples").sort()) {
    const entry = join("examples", name, "assembly", "index.ts");
    if (!existsSync(entry)) continue;
    add(
      "examples",
      name,
      entry,
      join("examples", name, "build", "optimized.wasm"),
      join("build", "as0.28", `${name}.wasm`),
    );
    add(
      "examples",
      `all-exports:${name}`,
      entry,
      join("build", "all-exports", "examples", name, "build", "optimized.wasm"),
      undefined,
      "release",
      ["0.27"],
      "all",
    );
  }
  for (const [group, dir, out027, prefix, with028] of [
    ["tests", "tests/filters", "tests/filters/build", "test", true],
    ["proxy", "tests/proxy/filters", "tests/proxy/build", "proxy", false],
  ]) {
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir).sort()) {
      if (!file.endsWith(".ts")) continue;
      const name = file.slice(0, -3);
      add(
        group,
        `${prefix}:${name}`,
        join(dir, file),
        join(out027, `${name}.wasm`),
        with028 ? join("build", "as0.28", `${prefix}-${name}.wasm`) : undefined,
      );
    }
  }
  return list;
}

function selected(list, names) {
  if (names.length === 0) return list;
  const unknown = names.filter((n) => !list.some((m) => m.name === n || m.group === n));
  if (unknown.length) {
    process.stderr.write(`unknown module(s): ${unknown.join(", ")}\n`);
    process.exit(2);
  }
  // A module's own name wins over a group of the same name ("default" is not "default:debug").
  const byName = new Set(names.filter((n) => list.some((m) => m.name === n)));
  return list.filter(
    (m) => byName.has(m.name) || (names.includes(m.group) && !byName.has(m.group)),
  );
}

/** The compiler's version and the binaryen it loads, per AssemblyScript version. */
function compilerFingerprints() {
  const require = createRequire(join(process.cwd(), "package.json"));
  const out = {};
  for (const [version, spec] of Object.entries(COMPILERS)) {
    const pkg = spec.replace(/\/asc$/, "");
    try {
      const pkgFile = require.resolve(`${pkg}/package.json`);
      const binaryen = createRequire(pkgFile).resolve("binaryen/package.json");
      out[version] = [pkgFile, binaryen]
        .map((f) => JSON.parse(readFileSync(f, "utf8")).version)
        .join(" ");
    } catch {
      out[version] = "missing";
    }
  }
  return out;
}

/** Every file the SDK's modules can pull in, and the settings every build extends. */
function sdkHash() {
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|js|json)$/.test(entry.name)) files.push(path);
    }
  };
  walk("assembly");
  files.sort();
  files.push("index.ts", "proxy.ts", "asconfig.json", "asconfig.base.json", "asconfig.compat.json");
  const json = "node_modules/assemblyscript-json/package.json";
  if (existsSync(json)) files.push(json);
  return hashFiles(files.filter((f) => existsSync(f)));
}

/** The entry and every file it imports by a relative path, recursively (the SDK is hashed whole). */
function sourcesOf(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const [, spec] of text.matchAll(/(?:from|import)\s*["'](\.{1,2}\/[^"']+)["']/g)) {
      const base = join(dirname(file), spec);
      const found = [base, `${base}.ts`, join(base, "index.ts")].find(
        (f) => existsSync(f) && statSync(f).isFile(),
      );
      if (found) visit(found);
    }
  };
  visit(entry);
  return [...seen].sort();
}

function hashFiles(files) {
  const hash = createHash("sha256");
  for (const file of files) hash.update(`${relative(".", file)}\0`).update(readFileSync(file));
  return hash.digest("hex");
}

/**
 * An up-to-date output older than a source (a checkout rewrote the file unchanged) gets the
 * current time, so checks by modification time (tests/sdk/helpers.ts) agree that it is fresh.
 */
function freshen(outputs, sources) {
  const newest = Math.max(...sources.map((f) => statSync(f).mtimeMs), newestIn("assembly"));
  const now = new Date();
  for (const f of outputs) if (statSync(f).mtimeMs < newest) utimesSync(f, now, now);
}

function newestIn(dir) {
  if (newestSdk !== undefined) return newestSdk;
  const walk = (d) => {
    let newest = 0;
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      newest = Math.max(newest, entry.isDirectory() ? walk(path) : statSync(path).mtimeMs);
    }
    return newest;
  };
  return (newestSdk = walk(dir));
}
