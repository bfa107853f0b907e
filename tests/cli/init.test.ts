// `proxy-wasm-as init`: what it writes, what it refuses and why, and the --help texts of the
// project commands. (Building and testing a scaffolded project: project.test.ts.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { exampleRootIds, exampleStart, scaffold } from "../../src/cli/scaffold.js";
import { isCheckout, sdkOrigin } from "../../src/cli/sdk_dependency.js";
import { cli, listFiles, repoRoot, tempDir } from "./helpers.js";

/** A dependency spec for tests where how the SDK is installed does not matter (no packing). */
const ANY_SDK = ["--sdk", "^0.1.0"];

const PLACEHOLDER = /__(NAME|ROOT_ID|SDK_SPEC)__/;

test("--help of init, build and test says what each does and lists its options", () => {
  const cwd = tempDir();
  const expected: Record<string, string[]> = {
    init: [
      "usage: proxy-wasm-as init DIR",
      "--name ROOT_ID",
      "--example NAME",
      "--sdk SPEC",
      "--json",
    ],
    build: ["usage: proxy-wasm-as build [DIR]", "--debug", "--target NAME", "--json"],
    test: ["usage: proxy-wasm-as test [DIR]", "--no-build", "--filter PATTERN"],
  };
  for (const [command, words] of Object.entries(expected)) {
    for (const flag of ["--help", "-h"]) {
      const r = cli([command, flag], cwd);
      assert.equal(r.code, 0, r.stderr);
      for (const word of words) assert.ok(r.stdout.includes(word), `${command} ${flag}: ${word}`);
    }
  }
  const usage = cli(["--help"], cwd);
  for (const command of ["init", "build", "test"])
    assert.match(usage.stdout, new RegExp(`^  ${command} +\\S`, "m"));
});

test("init writes the starter project with every placeholder filled in", () => {
  const parent = tempDir();
  const dir = join(parent, "My-Filter");
  const r = cli(["init", dir, "--sdk", `file:${repoRoot}`, "--json"], parent);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as {
    dir: string;
    name: string;
    rootId: string;
    sdkSpec: string;
    source: string;
    files: string[];
  };
  assert.equal(result.dir, dir);
  assert.equal(result.name, "my-filter");
  assert.equal(result.rootId, "my_filter"); // from the directory name
  assert.equal(result.source, "template");
  assert.deepEqual(result.files, listFiles(dir));
  for (const file of [
    ".github/workflows/ci.yml",
    ".gitignore",
    ".prettierrc.json",
    "Dockerfile",
    "README.md",
    "asconfig.json",
    "assembly/index.ts",
    "envoy.yaml",
    "package.json",
    "runtime-config.json",
    "test/filter.test.ts",
    "tsconfig.json",
    "wasmplugin.yaml",
  ]) {
    assert.ok(result.files.includes(file), `${file} written`);
  }
  for (const file of result.files) {
    assert.doesNotMatch(readFileSync(join(dir, file), "utf8"), PLACEHOLDER, file);
  }

  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  assert.equal(pkg.name, "my-filter");
  assert.equal(pkg.dependencies["proxy-wasm-as"], `file:${repoRoot}`);
  assert.equal(
    pkg.scripts.start,
    "proxy-wasm-as run build/optimized.wasm --root-id my_filter --config @config.json",
  );
  // The starter's configuration file is what its envoy.yaml and wasmplugin.yaml configure.
  const config = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
  assert.deepEqual(config, { header: "hello", value: "world!" });
  for (const script of ["asbuild", "test", "fmt"]) assert.ok(pkg.scripts[script], script);

  const asconfig = JSON.parse(readFileSync(join(dir, "asconfig.json"), "utf8"));
  assert.equal(asconfig.extends, "./node_modules/proxy-wasm-as/asconfig.base.json");
  assert.equal(asconfig.targets.debug.outFile, "build/untouched.wasm");
  assert.deepEqual(
    [asconfig.targets.release.outFile, asconfig.targets.release.optimizeLevel],
    ["build/optimized.wasm", 3],
  );
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "runtime-config.json"), "utf8")), {
    type: "envoy_proxy",
    abiVersions: ["proxy_abi_version_0_2_1"],
    config: { rootIds: ["my_filter"] },
  });
  assert.match(
    readFileSync(join(dir, "assembly/index.ts"), "utf8"),
    /const ROOT_ID = "my_filter";/,
  );
  assert.match(
    readFileSync(join(dir, "Dockerfile"), "utf8"),
    /^FROM scratch\nCOPY runtime-config\.json plugin\.wasm \.\/$/m,
  );

  const envoy = readFileSync(join(dir, "envoy.yaml"), "utf8");
  const wasm =
    parseYaml(envoy).static_resources.listeners[0].filter_chains[0].filters[0].typed_config
      .http_filters[0].typed_config.config;
  assert.equal(wasm.root_id, "my_filter");
  assert.equal(wasm.vm_config.code.local.filename, "build/optimized.wasm");
  const plugin = parseYaml(readFileSync(join(dir, "wasmplugin.yaml"), "utf8"));
  assert.equal(plugin.kind, "WasmPlugin");
  assert.equal(plugin.metadata.name, "my-filter");
  assert.equal(plugin.spec.pluginName, "my_filter");
  const ci = parseYaml(readFileSync(join(dir, ".github/workflows/ci.yml"), "utf8"));
  const steps = (ci.jobs.test.steps as { run?: string }[]).map((s) => s.run).filter(Boolean);
  for (const step of ["npm ci", "npm run asbuild", "npm test"])
    assert.ok(steps.includes(step), step);
});

test("init from a checkout packs the SDK into vendor/ and depends on that file; --name sets the root id; the human output has next steps", () => {
  const parent = tempDir();
  const r = cli(["init", "proj", "--name", "greeter"], parent);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /root id greeter/);
  assert.match(r.stdout, /cd proj\n\s+npm install\n\s+npm test/);
  const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
  const pkg = JSON.parse(readFileSync(join(parent, "proj", "package.json"), "utf8"));
  const tarball = `vendor/proxy-wasm-as-${version}.tgz`;
  assert.equal(pkg.dependencies["proxy-wasm-as"], `file:${tarball}`);
  // What npm pack put in: the compiled CLI and the sources, no build outputs.
  const listing = spawnSync("tar", ["-tzf", join(parent, "proj", tarball)], { encoding: "utf8" });
  assert.equal(listing.status, 0, listing.stderr);
  const packed = listing.stdout.split("\n");
  for (const file of [
    "package/dist/src/cli/main.js",
    "package/bin/proxy-wasm-as.js",
    "package/assembly/index.ts",
  ])
    assert.ok(packed.includes(file), `${file} is in the tarball`);
  assert.deepEqual(
    packed.filter((f) => /\/build\/|\.wasm$/.test(f)),
    [],
  );
  // The project's .gitignore keeps the tarball, so `npm ci` works on a fresh clone of it.
  assert.doesNotMatch(
    readFileSync(join(parent, "proj", ".gitignore"), "utf8"),
    /^\*\.tgz$|^vendor/m,
  );
  assert.match(readFileSync(join(parent, "proj", "assembly/index.ts"), "utf8"), /"greeter";/);
});

test("the SDK's origin: a registry install writes ^VERSION; a checkout or a tarball install packs", () => {
  const install = tempDir();
  const root = join(install, "node_modules", "proxy-wasm-as");
  mkdirSync(root, { recursive: true });
  const lock = (resolved: string) =>
    writeFileSync(
      join(install, "node_modules", ".package-lock.json"),
      JSON.stringify({
        packages: { "node_modules/proxy-wasm-as": { version: "0.1.0", resolved } },
      }),
    );
  lock("https://registry.npmjs.org/proxy-wasm-as/-/proxy-wasm-as-0.1.0.tgz");
  assert.equal(sdkOrigin(root), "registry");
  lock("file:../proxy-wasm-as-0.1.0.tgz");
  assert.equal(sdkOrigin(root), "local");
  assert.equal(sdkOrigin(repoRoot), "local");
  assert.equal(isCheckout(repoRoot), true);
  assert.equal(isCheckout(root), false);
});

test("init --sdk file:PATH is checked: a path that does not exist is refused, saying where it looked", () => {
  const parent = tempDir();
  const r = cli(["init", "proj", "--sdk", "file:../nowhere/proxy-wasm-as.tgz"], parent);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    /--sdk file:\.\.\/nowhere\/proxy-wasm-as\.tgz: .*nowhere\/proxy-wasm-as\.tgz does not exist/,
  );
  assert.match(r.stderr, /relative to the project directory/);
});

test("init into an existing empty directory works", () => {
  const dir = tempDir();
  const r = cli(["init", ".", "--name", "here", "--quiet", ...ANY_SDK], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "");
  assert.ok(existsSync(join(dir, "assembly", "index.ts")));
});

test("init refuses a directory that is not empty, and writes nothing", () => {
  const dir = tempDir();
  writeFileSync(join(dir, "notes.txt"), "mine");
  const r = cli(["init", dir], dir);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /is not empty \(1 entry: "notes\.txt"\)/);
  assert.match(r.stderr, /only writes into a new or empty directory/);
  assert.deepEqual(readdirSync(dir), ["notes.txt"]);
  assert.equal(readFileSync(join(dir, "notes.txt"), "utf8"), "mine");

  const file = join(dir, "notes.txt");
  const onFile = cli(["init", file], dir);
  assert.equal(onFile.code, 1);
  assert.match(onFile.stderr, /exists and is not a directory/);
});

test("init refuses a root id that is not a safe identifier, saying why", () => {
  const parent = tempDir();
  const cases: [string, RegExp][] = [
    ["AddHeader", /has upper-case letters/],
    ["9lives", /starts with a digit/],
    ["add-header", /contains "-"/],
    ["add header", /contains " "/],
    ['x"y', /contains "\\""/],
  ];
  for (const [name, why] of cases) {
    const r = cli(["init", "proj", "--name", name], parent);
    assert.equal(r.code, 1, name);
    assert.ok(r.stderr.includes(`"${name}" is not a safe root id`), r.stderr);
    assert.match(r.stderr, why);
    assert.match(r.stderr, /\^\[a-z_\]\[a-z0-9_\]\*\$/);
  }
  const empty = cli(["init", "proj", "--name="], parent);
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /is empty/);
  assert.ok(!existsSync(join(parent, "proj")), "nothing written");
  // Without --name the root id is made from the directory name, always a safe one.
  const digits = cli(["init", "123", ...ANY_SDK], parent);
  assert.equal(digits.code, 0, digits.stderr);
  assert.match(readFileSync(join(parent, "123", "runtime-config.json"), "utf8"), /"_123"/);
});

test("init: bad command lines are usage errors (exit 2)", () => {
  const cwd = tempDir();
  for (const args of [
    ["init"],
    ["init", "a", "b"],
    ["init", "a", "--bogus"],
    ["init", "a", "--name"],
  ]) {
    const r = cli(args, cwd);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.stderr, /^proxy-wasm-as init: .*; see `proxy-wasm-as init --help`\n$/);
  }
});

test("init --example: an unknown name lists the examples; a known one becomes a project", async () => {
  const parent = tempDir();
  const list = cli(["init", "--list-examples", "--json"], parent);
  assert.equal(list.code, 0, list.stderr);
  const { examples } = JSON.parse(list.stdout) as { examples: string[] };
  const onDisk = readdirSync(join(repoRoot, "examples")).filter((e) =>
    existsSync(join(repoRoot, "examples", e, "assembly", "index.ts")),
  );
  assert.deepEqual(examples, onDisk.sort());

  const bad = cli(["init", "proj", "--example", "no_such_example"], parent);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /no example named "no_such_example"; the examples are: /);
  assert.ok(!existsSync(join(parent, "proj")));

  // Every example, in this process (the CLI around scaffold() is tested above).
  for (const example of examples) {
    const result = await scaffold({ dir: join(parent, example), example, sdkSpec: "^0.1.0" });
    assert.equal(result.source, `example:${example}`);
    const dir = join(parent, example);
    const source = readFileSync(
      join(repoRoot, "examples", example, "assembly", "index.ts"),
      "utf8",
    );
    assert.equal(readFileSync(join(dir, "assembly", "index.ts"), "utf8").length > 0, true);
    assert.ok(
      source.includes(`"${result.rootId}"`),
      `${example}: root id ${result.rootId} is the example's`,
    );
    for (const file of [
      "package.json",
      "asconfig.json",
      "runtime-config.json",
      "Dockerfile",
      ".gitignore",
    ]) {
      assert.ok(result.files.includes(file), `${example}: ${file}`);
    }
    assert.ok(
      !result.files.includes("test/filter.test.ts"),
      `${example}: its own tests, not the template's`,
    );
    for (const file of result.files) {
      const text = readFileSync(join(dir, file), "utf8");
      assert.doesNotMatch(text, PLACEHOLDER, `${example}/${file}`);
      if (file.startsWith("test/")) {
        assert.doesNotMatch(
          text,
          /from "\.\.\/.*src\/host/,
          `${example}/${file} imports proxy-wasm-as/host`,
        );
        assert.doesNotMatch(text, new RegExp(`examples/${example}/`), `${example}/${file}`);
      }
    }
    const runtime = JSON.parse(readFileSync(join(dir, "runtime-config.json"), "utf8"));
    assert.deepEqual(runtime.config.rootIds, exampleRootIds(source), example);
    assert.equal(runtime.config.rootIds[0], result.rootId);
    const start: string = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).scripts.start;
    assert.ok(
      start === "proxy-wasm-as run --envoy envoy.yaml" ||
        start.startsWith(`proxy-wasm-as run build/optimized.wasm --root-id ${result.rootId}`),
      `${example}: npm start is ${start}`,
    );
    const configFile = start.match(/--config @(\S+)$/)?.[1];
    if (configFile !== undefined)
      assert.ok(result.files.includes(configFile), `${example}: ${configFile}`);
    else assert.ok(!result.files.includes("config.json"), `${example}: no template config.json`);
  }
});

test("init --example with --name renames the example's root id everywhere", (t) => {
  const example = "add_header";
  if (!existsSync(join(repoRoot, "examples", example))) return t.skip(`no examples/${example}`);
  const parent = tempDir();
  const r = cli(
    ["init", "proj", "--example", example, "--name", "greeter", "--json", ...ANY_SDK],
    parent,
  );
  assert.equal(r.code, 0, r.stderr);
  const dir = join(parent, "proj");
  assert.match(readFileSync(join(dir, "assembly", "index.ts"), "utf8"), /"greeter"\s*\)/);
  for (const file of listFiles(dir)) {
    if (file === "package.json") continue; // its description names the example it came from
    assert.doesNotMatch(
      readFileSync(join(dir, file), "utf8"),
      /(?<![a-z_])add_header(?![a-z_])/,
      file,
    );
  }
});

test("the template's devDependencies are the versions the SDK itself is built and tested with", () => {
  const ours = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).devDependencies;
  const template = JSON.parse(readFileSync(join(repoRoot, "templates", "package.json"), "utf8"));
  for (const [name, spec] of Object.entries(template.devDependencies as Record<string, string>)) {
    assert.equal(spec, ours[name], name);
  }
  assert.equal(template.devDependencies.assemblyscript, "0.27.37");
});

test("a directory given as a path is created with its parents", () => {
  const parent = tempDir();
  mkdirSync(join(parent, "a"));
  const r = cli(["init", "a/b/c-d", "--quiet", ...ANY_SDK], parent);
  assert.equal(r.code, 0, r.stderr);
  assert.match(readFileSync(join(parent, "a/b/c-d/runtime-config.json"), "utf8"), /"c_d"/);
});

test("npm start of an example project runs the dev proxy with the example's configuration file", () => {
  const envoy = (config: string, clusters = 1) => `static_resources:
  listeners:
    - filter_chains:
        - filters:
            - typed_config:
                http_filters:
                  - typed_config:
                      config:
                        root_id: demo
                        configuration:
                          "@type": type.googleapis.com/google.protobuf.StringValue
                          value: ${config}
  clusters:
${"    - name: c\n".repeat(clusters)}`;
  const plain = "proxy-wasm-as run build/optimized.wasm --root-id demo";
  assert.deepEqual(exampleStart(null, "demo"), { start: plain, config: null });
  assert.deepEqual(exampleStart(envoy('""'), "demo"), { start: plain, config: null });
  // JSON configuration goes to config.json, pretty-printed; anything else to config.txt.
  assert.deepEqual(
    exampleStart(
      envoy(`|\n                            {"a": 1,\n                             "b": [2]}`),
      "demo",
    ),
    {
      start: `${plain} --config @config.json`,
      config: { file: "config.json", text: '{\n  "a": 1,\n  "b": [\n    2\n  ]\n}\n' },
    },
  );
  assert.deepEqual(exampleStart(envoy(`"it's plain"`), "demo"), {
    start: `${plain} --config @config.txt`,
    config: { file: "config.txt", text: "it's plain\n" },
  });
  // Callouts to clusters of its own: only envoy.yaml describes them.
  assert.deepEqual(exampleStart(envoy("'{}'", 2), "demo"), {
    start: "proxy-wasm-as run --envoy envoy.yaml",
    config: null,
  });
});

test("an example registering several root ids refuses --name", (t) => {
  const multi = readdirSync(join(repoRoot, "examples"));
  const example = multi.find((e) => {
    const file = join(repoRoot, "examples", e, "assembly", "index.ts");
    return existsSync(file) && exampleRootIds(readFileSync(file, "utf8")).length > 1;
  });
  if (example === undefined) return t.skip("no example registers several root ids");
  const parent = tempDir();
  const r = cli(["init", "proj", "--example", example, "--name", "renamed"], parent);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /registers several root ids \(.*\), so --name cannot rename it/);
  assert.ok(!existsSync(join(parent, "proj")));
});

test("filled in with the longest names, the template is still prettier-clean without formatting", async () => {
  // Installed from the registry, init may find no prettier to format what it wrote; the
  // project's `npm run fmt:check` (run in its CI) must pass anyway.
  const prettier = await import("prettier");
  const templates = join(repoRoot, "templates");
  const values: Record<string, string> = {
    __NAME__: "n".repeat(63),
    __ROOT_ID__: "r".repeat(63),
    __SDK_SPEC__: `file:${"/very-long-directory-name".repeat(6)}/proxy-wasm-as`,
  };
  let checked = 0;
  for (const file of listFiles(templates)) {
    const path = join(templates, file);
    const info = await prettier.getFileInfo(path);
    if (info.ignored || info.inferredParser === null) continue;
    let text = readFileSync(path, "utf8");
    for (const [placeholder, value] of Object.entries(values))
      text = text.split(placeholder).join(value);
    const options = (await prettier.resolveConfig(path)) ?? {};
    assert.ok(
      await prettier.check(text, { ...options, filepath: path }),
      `${file} needs formatting once filled in`,
    );
    checked++;
  }
  assert.ok(checked >= 10, `${checked} files checked`);
});
