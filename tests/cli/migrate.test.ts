// `proxy-wasm-as migrate`: the rewriting rules one by one (no npm), what the command refuses,
// and the whole move of a project shaped like the one `wasme init` made for the seed article:
// migrate, npm install, npm run asbuild, and the filter in the host emulator.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { format } from "prettier";
import { Host } from "proxy-wasm-as/host";
import {
  COMPAT_EXTENDS,
  TARGETS,
  migrateAscScript,
  migrateAsconfig,
  migratePackageJson,
  migrateRuntimeConfig,
  sdkDependencies,
  stringifyJson,
} from "../../src/cli/migrate.js";
import { cli, ensureDist, exec, listFiles, repoRoot, show, tempDir } from "./helpers.js";

const FIXTURE = join(repoRoot, "tests/cli/fixtures/wasme");
const ARTICLE = join(repoRoot, "tests/compat/article/assembly/index.ts");
const GCORE_FILTER = join(repoRoot, "tests/compat/filters/gcore-1.2.3.ts");
/** The AssemblyScript 0.28 the SDK is also tested with (G-Core projects use 0.28). */
const AS_028 = (
  JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).devDependencies[
    "assemblyscript-0.28"
  ] as string
).replace(/^npm:assemblyscript@/, "");
const SDK_AS = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).devDependencies
  .assemblyscript as string;
const ABI = JSON.parse(readFileSync(join(repoRoot, "runtime-config.json"), "utf8"))
  .abiVersions as string[];

/** The scripts `wasme init` wrote for AssemblyScript 0.14 (see fixtures/wasme/package.json). */
const WASME_UNTOUCHED =
  "asc assembly/index.ts -b build/untouched.wasm -t build/untouched.wat --use abort=abort_proc_exit --sourceMap --debug";
const WASME_OPTIMIZED =
  "asc assembly/index.ts -b build/optimized.wasm -t build/optimized.wat --use abort=abort_proc_exit --sourceMap --optimize";

/** A copy of the wasme-shaped project with the seed article's filter in assembly/index.ts. */
function wasmeProject(): string {
  const dir = join(tempDir("pwa-migrate-"), "custom-filter");
  cpSync(FIXTURE, dir, { recursive: true });
  copyFileSync(ARTICLE, join(dir, "assembly/index.ts"));
  return dir;
}

/** Every file of `dir` (node_modules and build left out) with its text. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    listFiles(dir).map((f) => [f, readFileSync(join(dir, f)).toString("base64")]),
  );
}

describe("the rules", () => {
  test("wasme's asbuild scripts become asc with a target; the old flags go", () => {
    assert.equal(
      migrateAscScript("asbuild:untouched", WASME_UNTOUCHED),
      "asc assembly/index.ts --target debug",
    );
    assert.equal(
      migrateAscScript("asbuild:optimized", WASME_OPTIMIZED),
      "asc assembly/index.ts --target release",
    );
    // proxy-runtime's README variant: asinit's script names, a served source map, --validate.
    assert.equal(
      migrateAscScript(
        "asbuild:debug",
        "asc assembly/index.ts -b build/untouched.wasm --use abort=abort_proc_exit -t build/untouched.wat --sourceMap http://127.0.0.1:8081/build/untouched.wasm.map --validate --debug",
      ),
      "asc assembly/index.ts --target debug",
    );
    // The target follows what the script built, not only its name.
    assert.equal(
      migrateAscScript("build", "npx asc src/main.ts -b out.wasm -O3 --importMemory"),
      "npx asc src/main.ts --importMemory --target release",
    );
  });

  test("scripts that are not an old asc command line are left alone", () => {
    for (const [name, script] of [
      ["asbuild", "npm run asbuild:untouched && npm run asbuild:optimized"],
      ["asbuild:release", "asc assembly/index.ts --target release"],
      ["asbuild:x", "asc assembly/index.ts -b 'build/my filter.wasm'"],
      ["lint", "eslint -b assembly"],
      ["test", "node tests"],
    ]) {
      assert.equal(migrateAscScript(name, script), undefined, script);
    }
  });

  test("package.json: proxy-runtime → proxy-wasm-as in its place, assemblyscript → the SDK's, scripts → targets", () => {
    const text = readFileSync(join(FIXTURE, "package.json"), "utf8");
    const spec = "file:vendor/proxy-wasm-as-9.9.9.tgz";
    const { text: after, changes } = migratePackageJson(text, {
      sdkSpec: spec,
      assemblyscript: SDK_AS,
    });
    assert.deepEqual(
      changes.map((c) => [c.field, c.before, c.after]),
      [
        ["dependencies", '"@solo-io/proxy-runtime": "^0.1.12"', `"proxy-wasm-as": "${spec}"`],
        ["devDependencies.assemblyscript", '"^0.14.9"', `"${SDK_AS}"`],
        [
          "scripts.asbuild:untouched",
          JSON.stringify(WASME_UNTOUCHED),
          '"asc assembly/index.ts --target debug"',
        ],
        [
          "scripts.asbuild:optimized",
          JSON.stringify(WASME_OPTIMIZED),
          '"asc assembly/index.ts --target release"',
        ],
      ],
    );
    const pkg = JSON.parse(after);
    const before = JSON.parse(text);
    assert.deepEqual(Object.keys(pkg), Object.keys(before), "no field added, none moved");
    assert.deepEqual(pkg.dependencies, { "proxy-wasm-as": spec });
    assert.equal(pkg.scripts.asbuild, before.scripts.asbuild);
    assert.equal(pkg.name, "custom-filter");

    const again = migratePackageJson(after, { assemblyscript: SDK_AS });
    assert.deepEqual(again.changes, []);
    assert.equal(again.text, after);
  });

  test("assemblyscript moves up to the SDK's version, never down", () => {
    const pkg = (assemblyscript?: string) =>
      JSON.stringify({
        dependencies: { "proxy-wasm-as": "^0.1.0" },
        devDependencies: { assemblyscript },
      });
    const after = (spec?: string) =>
      JSON.parse(migratePackageJson(pkg(spec), { assemblyscript: "0.27.37" }).text).devDependencies
        .assemblyscript;
    assert.equal(after("^0.14.9"), "0.27.37");
    assert.equal(after("0.27.1"), "0.27.37");
    assert.equal(after(undefined), "0.27.37");
    for (const kept of ["0.27.37", "^0.28.2", "npm:assemblyscript@1.0.0", "latest"]) {
      assert.equal(after(kept), kept);
    }
  });

  test("package.json: a project with both packages loses the old one; --sdk replaces a spec", () => {
    const both = JSON.stringify({
      dependencies: { "@solo-io/proxy-runtime": "0.1.15", "proxy-wasm-as": "^0.1.0" },
      devDependencies: { assemblyscript: SDK_AS },
    });
    const r = migratePackageJson(both, { assemblyscript: SDK_AS });
    assert.deepEqual(JSON.parse(r.text).dependencies, { "proxy-wasm-as": "^0.1.0" });
    assert.equal(r.changes.length, 1);
    assert.equal(r.changes[0].after, "(removed)");

    const given = migratePackageJson(r.text, {
      assemblyscript: SDK_AS,
      sdkSpec: "^0.2.0",
      replaceSdk: true,
    });
    assert.deepEqual(JSON.parse(given.text).dependencies, { "proxy-wasm-as": "^0.2.0" });
    assert.deepEqual(
      given.changes.map((c) => [c.field, c.before, c.after]),
      [["dependencies.proxy-wasm-as", '"^0.1.0"', '"^0.2.0"']],
    );
  });

  test("asconfig.json is created when missing: the compat config with the two targets", () => {
    const r = migrateAsconfig(undefined);
    assert.deepEqual(JSON.parse(r.text), { extends: COMPAT_EXTENDS, targets: TARGETS });
    assert.equal(r.changes.length, 1);
    assert.deepEqual(migrateAsconfig(r.text).changes, []);
  });

  test("an asinit 0.14 asconfig.json keeps what is unrelated; binaryFile and abort_proc_exit go", () => {
    const old = stringifyJson({
      targets: {
        debug: {
          binaryFile: "build/untouched.wasm",
          textFile: "build/untouched.wat",
          sourceMap: true,
          debug: true,
        },
        release: {
          binaryFile: "build/optimized.wasm",
          textFile: "build/optimized.wat",
          sourceMap: true,
          optimizeLevel: 3,
          shrinkLevel: 2,
          converge: false,
          noAssert: false,
        },
        tiny: { optimizeLevel: 0, shrinkLevel: 2 },
      },
      options: { use: ["abort=abort_proc_exit", "Date=MyDate"], exportTable: true },
    });
    const r = migrateAsconfig(old);
    const config = JSON.parse(r.text);
    assert.equal(Object.keys(config)[0], "extends");
    assert.equal(config.extends, COMPAT_EXTENDS);
    assert.deepEqual(config.targets.debug, TARGETS.debug);
    assert.deepEqual(config.targets.release, { ...TARGETS.release, sourceMap: true });
    assert.deepEqual(config.targets.tiny, { optimizeLevel: 0, shrinkLevel: 2 });
    assert.deepEqual(config.options, { use: ["Date=MyDate"], exportTable: true });
    const lines = r.changes.map((c) => `${c.field}: ${c.before} → ${c.after}`);
    assert.ok(lines.includes(`extends: (none) → "${COMPAT_EXTENDS}"`), lines.join("\n"));
    assert.ok(lines.includes('targets.release.binaryFile: "build/optimized.wasm" → (removed)'));
    assert.ok(lines.includes('targets.release.outFile: (none) → "build/optimized.wasm"'));
    assert.ok(lines.includes("targets.release.shrinkLevel: 2 → 1"));
    assert.ok(
      lines.includes('options.use: ["abort=abort_proc_exit", "Date=MyDate"] → ["Date=MyDate"]'),
    );
    assert.deepEqual(migrateAsconfig(r.text).changes, []);
  });

  test("a G-Core project: @gcoredev/proxy-wasm-sdk-as → proxy-wasm-as; its asconfig extends the compat one", () => {
    const pkg = stringifyJson({
      name: "fastedge-filter",
      scripts: { "asbuild:release": "asc assembly/index.ts --target release" },
      dependencies: { "@gcoredev/proxy-wasm-sdk-as": "^1.2.3" },
      devDependencies: { "@assemblyscript/wasi-shim": "^0.1.0", assemblyscript: "^0.28.9" },
    });
    assert.deepEqual(sdkDependencies(JSON.parse(pkg)), { old: true, sdk: false });
    const r = migratePackageJson(pkg, { sdkSpec: "^0.1.0", assemblyscript: "0.27.37" });
    const after = JSON.parse(r.text);
    assert.deepEqual(after.dependencies, { "proxy-wasm-as": "^0.1.0" });
    // AssemblyScript 0.28 and scripts that already use targets stay.
    assert.equal(after.devDependencies.assemblyscript, "^0.28.9");
    assert.deepEqual(after.scripts, JSON.parse(pkg).scripts);
    assert.deepEqual(
      r.changes.map((c) => `${c.field}: ${c.before} → ${c.after}`),
      ['dependencies: "@gcoredev/proxy-wasm-sdk-as": "^1.2.3" → "proxy-wasm-as": "^0.1.0"'],
    );

    const config = migrateAsconfig(
      stringifyJson({
        extends: "./node_modules/@assemblyscript/wasi-shim/asconfig.json",
        options: { use: "abort=abort_proc_exit", exportRuntime: false },
      }),
    );
    const migrated = JSON.parse(config.text);
    assert.equal(migrated.extends, COMPAT_EXTENDS);
    assert.deepEqual(migrated.options, { exportRuntime: false });
    assert.deepEqual(migrateAsconfig(config.text).changes, []);
  });

  test("runtime-config.json: wasme's abiVersions become the SDK's; type and rootIds stay", () => {
    const text = readFileSync(join(FIXTURE, "runtime-config.json"), "utf8");
    const r = migrateRuntimeConfig(text, ABI);
    assert.deepEqual(JSON.parse(r.text), {
      type: "envoy_proxy",
      abiVersions: ABI,
      config: { rootIds: ["add_header"] },
    });
    assert.deepEqual(
      r.changes.map((c) => [c.field, c.before]),
      [["abiVersions", '["v0-4689a30309abf31aee9ae36e73d34b1bb182685f", "v0.2.1"]']],
    );
    const istio15 =
      '{"type":"envoy_proxy","abiVersions":["v0-097b7f2e4cc1fb490cc1943d0d633655ac3c522f"]}';
    assert.deepEqual(JSON.parse(migrateRuntimeConfig(istio15, ABI).text).abiVersions, ABI);
    for (const current of [r.text, '{"type":"envoy_proxy"}']) {
      const same = migrateRuntimeConfig(current, ABI);
      assert.deepEqual([same.text, same.changes], [current, []]);
    }
  });

  test("written JSON is as prettier formats it", async () => {
    const old = readFileSync(join(FIXTURE, "package.json"), "utf8");
    const texts = [
      migratePackageJson(old, { sdkSpec: "^0.1.0", assemblyscript: SDK_AS }).text,
      migrateAsconfig(undefined).text,
      migrateRuntimeConfig(readFileSync(join(FIXTURE, "runtime-config.json"), "utf8"), ABI).text,
      stringifyJson({
        long: Array.from({ length: 12 }, (_, i) => `entry-number-${i}`),
        e: [],
        o: {},
      }),
    ];
    for (const text of texts) assert.equal(await format(text, { parser: "json" }), text);
  });
});

describe("the command", () => {
  test("a directory without package.json is not a wasme-era project (exit 1)", () => {
    const dir = tempDir();
    const r = cli(["migrate"], dir);
    assert.equal(r.code, 1, show("migrate", r));
    assert.match(r.stderr, /has no package\.json, so it is not a wasme-era project/);
    assert.deepEqual(listFiles(dir), []);

    writeFileSync(join(dir, "package.json"), '{"name":"web-app","dependencies":{"react":"^18"}}');
    const other = cli(["migrate", "--sdk", "^0.1.0"], dir);
    assert.equal(other.code, 1);
    assert.match(other.stderr, /is not a wasme-era project: .* neither @solo-io\/proxy-runtime/);
    assert.deepEqual(listFiles(dir), ["package.json"]);
  });

  test("bad command lines are usage errors (exit 2)", () => {
    const dir = wasmeProject();
    const before = snapshot(dir);
    for (const args of [["a", "b"], ["--bogus"], ["--sdk"], ["--sdk="], ["--dry-run=yes"]]) {
      const r = cli(["migrate", ...args], dir);
      assert.equal(r.code, 2, `migrate ${args.join(" ")}: ${r.stderr}`);
    }
    assert.deepEqual(snapshot(dir), before, "nothing written");
  });

  test("--help says what changes", () => {
    const r = cli(["migrate", "--help"], tempDir());
    assert.equal(r.code, 0);
    for (const word of [
      "usage: proxy-wasm-as migrate [DIR]",
      "--dry-run",
      "--sdk SPEC",
      "abiVersions",
    ])
      assert.ok(r.stdout.includes(word), word);
  });
});

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const haveNpm = spawnSync(npm, ["--version"], { encoding: "utf8" }).status === 0;

test(
  "the seed article's wasme project: migrate, install, build, and the filter answers in the host",
  { skip: !haveNpm && "npm is not installed" },
  async () => {
    ensureDist(); // the SDK is packed into the project, dist/ and all
    const dir = wasmeProject();
    const untouched = snapshot(dir);

    const dry = cli(["migrate", "--dry-run"], dir);
    assert.equal(dry.code, 0, show("migrate --dry-run", dry));
    assert.deepEqual(snapshot(dir), untouched, "--dry-run writes nothing");

    const r = cli(["migrate"], dir);
    assert.equal(r.code, 0, show("migrate", r));
    const version = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).version;
    const tarball = `vendor/proxy-wasm-as-${version}.tgz`;
    const lines = r.stdout.split("\n").filter((l) => l.includes(" → "));
    assert.deepEqual(lines, [
      `package.json: dependencies: "@solo-io/proxy-runtime": "^0.1.12" → "proxy-wasm-as": "file:${tarball}"`,
      `package.json: devDependencies.assemblyscript: "^0.14.9" → "${SDK_AS}"`,
      `package.json: scripts.asbuild:untouched: ${JSON.stringify(WASME_UNTOUCHED)} → "asc assembly/index.ts --target debug"`,
      `package.json: scripts.asbuild:optimized: ${JSON.stringify(WASME_OPTIMIZED)} → "asc assembly/index.ts --target release"`,
      `asconfig.json: (none) → extends ${COMPAT_EXTENDS}, targets debug (build/untouched.wasm) and release (build/optimized.wasm)`,
      `runtime-config.json: abiVersions: ["v0-4689a30309abf31aee9ae36e73d34b1bb182685f", "v0.2.1"] → ["${ABI.join('", "')}"]`,
      `${tarball}: (none) → the proxy-wasm-as package, packed`,
    ]);
    assert.deepEqual(
      dry.stdout.split("\n").filter((l) => l.includes(" → ")),
      lines,
      "--dry-run prints the same changes",
    );
    assert.deepEqual(listFiles(dir), [
      "asconfig.json",
      "assembly/index.ts",
      "assembly/tsconfig.json",
      "package.json",
      "runtime-config.json",
      tarball,
    ]);
    assert.equal(
      readFileSync(join(dir, "assembly/index.ts"), "utf8"),
      readFileSync(ARTICLE, "utf8"),
    );
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    assert.deepEqual(pkg.dependencies, { "proxy-wasm-as": `file:${tarball}` });
    assert.deepEqual(pkg.devDependencies, { assemblyscript: SDK_AS });
    assert.equal(
      JSON.parse(readFileSync(join(dir, "asconfig.json"), "utf8")).extends,
      COMPAT_EXTENDS,
    );

    const migrated = snapshot(dir);
    const twice = cli(["migrate"], dir);
    assert.equal(twice.code, 0, show("migrate (again)", twice));
    assert.match(twice.stdout, /^nothing to migrate/);
    assert.deepEqual(snapshot(dir), migrated, "the second run changes nothing");

    const install = await exec(
      npm,
      ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"],
      dir,
    );
    assert.equal(install.code, 0, show("npm install", install));
    const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8"));
    assert.equal(
      lock.packages["node_modules/proxy-wasm-as"].resolved,
      `file:${tarball}`,
      "the SDK comes from the packed tarball, not the registry",
    );
    assert.equal(lock.packages["node_modules/assemblyscript"].version, SDK_AS);
    // What wasme's assembly/tsconfig.json extends is still there for editors.
    assert.ok(existsSync(join(dir, "node_modules/assemblyscript/std/assembly.json")));

    const asbuild = await exec(npm, ["run", "asbuild"], dir);
    assert.equal(asbuild.code, 0, show("npm run asbuild", asbuild));
    const debug = readFileSync(join(dir, "build/untouched.wasm"));
    const release = readFileSync(join(dir, "build/optimized.wasm"));
    assert.ok(release.length > 0 && debug.length > release.length, "a debug and a release build");
    assert.notDeepEqual(debug, release);

    for (const [pluginConfig, hello] of [
      ["", "world!"],
      ["from config", "from config"],
    ]) {
      const host = await Host.load(join(dir, "build/optimized.wasm"), {
        rootId: "add_header",
        pluginConfig,
      });
      const http = host.newHttpContext();
      http.requestHeaders({ ":path": "/", ":method": "GET" }, { endOfStream: true });
      http.responseHeaders({ ":status": "200" });
      http.complete();
      assert.deepEqual(host.logs("error"), []);
      assert.deepEqual(http.response.headers.getAll("hello"), [hello]);
    }
  },
);

/** A G-Core project as its README sets one up (AssemblyScript 0.28), with a filter written for it. */
function gcoreProject(): string {
  const dir = join(tempDir("pwa-migrate-"), "fastedge-filter");
  mkdirSync(join(dir, "assembly"), { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    stringifyJson({
      name: "fastedge-filter",
      version: "1.0.0",
      scripts: {
        "asbuild:debug": "asc assembly/index.ts --target debug",
        "asbuild:release": "asc assembly/index.ts --target release",
        asbuild: "npm run asbuild:debug && npm run asbuild:release",
      },
      dependencies: { "@gcoredev/proxy-wasm-sdk-as": "^1.2.3" },
      devDependencies: { assemblyscript: AS_028 },
    }),
  );
  writeFileSync(
    join(dir, "asconfig.json"),
    stringifyJson({
      targets: {
        debug: { outFile: "build/debug.wasm", sourceMap: true, debug: true },
        release: { outFile: "build/release.wasm", optimizeLevel: 3, shrinkLevel: 0 },
      },
      options: { bindings: "esm", use: "abort=abort_proc_exit" },
    }),
  );
  copyFileSync(GCORE_FILTER, join(dir, "assembly/index.ts"));
  return dir;
}

test(
  "a G-Core project: migrate, install, build with its AssemblyScript 0.28, and the filter answers in the host",
  { skip: !haveNpm && "npm is not installed" },
  async () => {
    ensureDist();
    const dir = gcoreProject();
    const r = cli(["migrate"], dir);
    assert.equal(r.code, 0, show("migrate", r));
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    const version = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).version;
    assert.deepEqual(pkg.dependencies, {
      "proxy-wasm-as": `file:vendor/proxy-wasm-as-${version}.tgz`,
    });
    assert.deepEqual(pkg.devDependencies, { assemblyscript: AS_028 }, "0.28 stays");
    const config = JSON.parse(readFileSync(join(dir, "asconfig.json"), "utf8"));
    assert.equal(config.extends, COMPAT_EXTENDS);
    assert.deepEqual(config.options, { bindings: "esm" });
    assert.equal(
      readFileSync(join(dir, "assembly/index.ts"), "utf8"),
      readFileSync(GCORE_FILTER, "utf8"),
    );

    const install = await exec(
      npm,
      ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"],
      dir,
    );
    assert.equal(install.code, 0, show("npm install", install));
    const asbuild = await exec(npm, ["run", "asbuild:release"], dir);
    assert.equal(asbuild.code, 0, show("npm run asbuild:release", asbuild));

    const host = await Host.load(join(dir, "build/optimized.wasm"), {
      rootId: "api_key",
      pluginConfig: "migrated",
      env: { API_KEY: "k" },
    });
    const denied = host.newHttpContext();
    denied.requestHeaders({ ":path": "/", ":method": "GET" }, { endOfStream: true });
    assert.equal(denied.sentLocalResponse?.status, 401);
    const allowed = host.newHttpContext();
    allowed.requestHeaders(
      { ":path": "/", ":method": "GET", "x-api-key": "k" },
      { endOfStream: true },
    );
    allowed.responseHeaders({ ":status": "200" });
    allowed.complete();
    assert.deepEqual(allowed.response.headers.getAll("x-gcore"), ["migrated"]);
    assert.deepEqual(host.logs("error"), []);
  },
);
