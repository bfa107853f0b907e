// The whole path a user takes, as the README's Install section says: `init` from a clone (or
// from the tarball `npm pack` makes, through npx) into a directory outside the repo, which packs
// the SDK into the project; `npm install`, `npm ci`, `npm run asbuild`, `npm test`,
// `npm run typecheck` and `npm run fmt:check`, all passing; then `build` and `test` on a broken
// filter and a failing test. The SDK never comes from the npm registry; the registry must be
// reachable for the rest (assemblyscript, tsx, typescript, prettier).
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Result, cli, ensureDist, exec, repoRoot, show, tempDir } from "./helpers.js";

const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const haveNpm = spawnSync(npm, ["--version"], { encoding: "utf8" }).status === 0;
const QUIET = ["--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"];

before(() => {
  if (haveNpm) ensureDist();
});

/** `init` from this checkout's CLI, as the README's Install section says (no --sdk). */
function initFromCheckout(extra: string[]) {
  return async (dir: string) => cli(["init", dir, ...extra], repoRoot);
}

/**
 * init, `npm install` and `npm test`; returns the project directory. The SDK must come from the
 * project itself (vendor/), never from the npm registry. `everything` also runs `npm ci` on a
 * fresh node_modules (what the project's CI does), `npm run asbuild` (both targets), typecheck
 * and format check: once is enough for those, and each costs the suite time.
 */
async function scaffoldAndTest(
  name: string,
  init: (dir: string) => Promise<Result>,
  everything = false,
): Promise<string> {
  const dir = join(tempDir(), name);
  const made = await init(dir);
  assert.equal(made.code, 0, show("init", made));
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const spec: string = pkg.dependencies["proxy-wasm-as"];
  assert.match(
    spec,
    /^file:vendor\/proxy-wasm-as-[0-9.]+\.tgz$/,
    "the SDK is packed into the project",
  );
  assert.ok(existsSync(join(dir, spec.slice("file:".length))), spec);

  const install = await exec(npm, ["install", ...QUIET], dir);
  assert.equal(install.code, 0, show("npm install", install));
  assert.doesNotMatch(install.stdout + install.stderr, /EBADENGINE|install-scripts|E404/);
  if (everything) {
    rmSync(join(dir, "node_modules"), { recursive: true, force: true });
    const ci = await exec(npm, ["ci", ...QUIET], dir);
    assert.equal(ci.code, 0, show("npm ci", ci));
  }
  const lock = JSON.parse(readFileSync(join(dir, "package-lock.json"), "utf8"));
  assert.equal(lock.packages["node_modules/proxy-wasm-as"].resolved, spec);
  assert.ok(
    existsSync(join(dir, "node_modules", "proxy-wasm-as", "asconfig.base.json")),
    'the installed proxy-wasm-as has asconfig.base.json (package.json "files" must list it)',
  );
  assert.ok(!lstatSync(join(dir, "node_modules", "proxy-wasm-as")).isSymbolicLink());

  if (everything) {
    const asbuild = await exec(npm, ["run", "asbuild"], dir);
    assert.equal(asbuild.code, 0, show("npm run asbuild", asbuild));
    for (const out of ["build/untouched.wasm", "build/optimized.wasm"]) {
      assert.ok(existsSync(join(dir, out)), `${out} built`);
    }
  }
  const tests = await exec(npm, ["test"], dir); // builds build/optimized.wasm first
  assert.equal(tests.code, 0, show("npm test", tests));
  assert.match(tests.stdout, /^(# |ℹ )fail 0$/m, show("npm test", tests));
  assert.doesNotMatch(tests.stdout, /^(# |ℹ )pass 0$/m);
  const typecheck = await exec(npm, ["run", "typecheck"], dir);
  assert.equal(typecheck.code, 0, show("npm run typecheck", typecheck));
  if (everything) {
    const fmt = await exec(npm, ["run", "fmt:check"], dir);
    assert.equal(fmt.code, 0, show("npm run fmt:check", fmt));
  }
  return dir;
}

// The two projects install and build side by side.
describe("scaffolded projects", { concurrency: true }, () => {
  test(
    "the starter project: build, test, then build/test errors as a user sees them",
    { skip: !haveNpm && "npm is not installed" },
    async (t) => {
      const dir = await scaffoldAndTest("starter-filter", initFromCheckout([]), true);

      await t.test("build --json reports the module it wrote", () => {
        const r = cli(["build", dir, "--json"], repoRoot);
        assert.equal(r.code, 0, show("build", r));
        const result = JSON.parse(r.stdout);
        assert.equal(result.ok, true);
        assert.equal(result.target, "release");
        assert.equal(result.outFile, "build/optimized.wasm");
        assert.equal(result.bytes, readFileSync(join(dir, "build/optimized.wasm")).length);
        assert.match(result.sha256, /^[0-9a-f]{64}$/);
        const debug = cli(["build", "--debug", "--quiet"], dir);
        assert.equal(debug.code, 0, show("build --debug", debug));
        assert.equal(debug.stdout, "");
      });

      await t.test("a type error: build exits 1 with asc's own message (file and line)", () => {
        const source = join(dir, "assembly", "index.ts");
        const good = readFileSync(source, "utf8");
        const lines = good.split("\n");
        const at = lines.findIndex((l) => l.includes("const text = this.getConfiguration();"));
        assert.ok(at >= 0, "the template reads its configuration");
        lines[at] = lines[at].replace("const text =", "const text: i32 =");
        writeFileSync(source, lines.join("\n"));
        try {
          const r = cli(["build"], dir);
          assert.equal(r.code, 1, show("build", r));
          const output = r.stdout + r.stderr;
          assert.match(
            output,
            /ERROR TS2322: Type '~lib\/string\/String' is not assignable to type 'i32'\./,
          );
          assert.ok(output.includes(`in assembly/index.ts(${at + 1},`), output);
          assert.ok(
            output.includes("const text: i32 = this.getConfiguration();"),
            "the source line is shown",
          );
          assert.match(
            r.stderr,
            /proxy-wasm-as build: the release build failed \(asc exit code 1\)/,
          );

          const json = cli(["build", "--json"], dir);
          assert.equal(json.code, 1);
          assert.deepEqual(JSON.parse(json.stdout).ok, false, "stdout holds only the JSON");
          assert.match(json.stderr, /ERROR TS2322/);

          const tests = cli(["test", dir], repoRoot);
          assert.equal(tests.code, 1);
          assert.match(tests.stderr, /ERROR TS2322/);
          assert.match(tests.stderr, /the release build failed .*; no tests run/);
          assert.doesNotMatch(tests.stdout, /# tests/);
        } finally {
          writeFileSync(source, good);
        }
      });

      await t.test("test passes the test runner's output and exit code through", () => {
        const passing = cli(["test", dir, "--reporter", "tap"], repoRoot);
        assert.equal(passing.code, 0, show("test", passing));
        assert.match(passing.stdout, /^ok \d+ - adds hello: world! to every response$/m);

        const extra = join(dir, "test", "nested", "extra.test.ts");
        mkdirSync(join(dir, "test", "nested"), { recursive: true });
        writeFileSync(
          extra,
          'import { test } from "node:test";\nimport assert from "node:assert/strict";\n' +
            'test("a failing test", () => assert.equal(1 + 1, 3));\n',
        );
        const failing = cli(["test", "--no-build", "--reporter", "tap"], dir);
        assert.equal(failing.code, 1, show("test", failing));
        assert.match(
          failing.stdout,
          /^not ok \d+ - a failing test$/m,
          "test/**: nested files are found",
        );
        assert.match(failing.stdout, /^ok \d+ - adds hello: world! to every response$/m);

        const only = cli(["test", "--no-build", "--reporter", "tap", "--filter", "world"], dir);
        assert.equal(only.code, 0, show("test --filter", only));
        assert.match(only.stdout, /# pass 1\n/);
      });

      await t.test("build and test outside a project say so", () => {
        const empty = tempDir();
        for (const command of ["build", "test"]) {
          const r = cli([command], empty);
          assert.equal(r.code, 1);
          assert.match(r.stderr, /no asconfig\.json in .*: not an AssemblyScript project/);
        }
        const target = cli(["build", dir, "--target", "nope"], repoRoot);
        assert.equal(target.code, 1);
        assert.match(
          target.stderr,
          /asconfig\.json has no target "nope" \(it has: debug, release\)/,
        );
      });
    },
  );

  test(
    "a project from --example http_headers installs, builds and passes its tests",
    { skip: !haveNpm && "npm is not installed" },
    async (t) => {
      if (!existsSync(join(repoRoot, "examples", "http_headers", "assembly", "index.ts"))) {
        return t.skip("examples/http_headers does not exist");
      }
      const dir = await scaffoldAndTest("headers", initFromCheckout(["--example", "http_headers"]));
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
      assert.equal(
        pkg.scripts.start,
        "proxy-wasm-as run build/optimized.wasm --root-id http_headers --config @config.json",
      );
      assert.deepEqual(JSON.parse(readFileSync(join(dir, "config.json"), "utf8")), {
        header: "x-greeting",
        value: "hello from wasm",
      });
    },
  );

  test(
    "the tarball `npm pack` makes: its CLI, run with npx outside the repo, makes a project that installs, builds and tests",
    { skip: !haveNpm && "npm is not installed" },
    async () => {
      const out = tempDir();
      const pack = await exec(npm, ["pack", "--pack-destination", out, ...QUIET], repoRoot);
      assert.equal(pack.code, 0, show("npm pack", pack));
      const tarball = join(out, pack.stdout.trim().split("\n").pop()!);
      assert.ok(existsSync(tarball), tarball);
      const elsewhere = tempDir();
      await scaffoldAndTest("packed", (dir) =>
        exec(
          npm,
          ["exec", "--yes", `--package=${tarball}`, ...QUIET, "--", "proxy-wasm-as", "init", dir],
          elsewhere,
        ),
      );
    },
  );
});
