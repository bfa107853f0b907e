// A module built before its sources last changed: `image`, `push`, `run` and `test --no-build`
// still do their job but say, in one stderr line, that the build is stale; with a fresh build
// they say nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { newestSource, staleWarning } from "../../src/cli/project.js";
import { cli, tempDir } from "./helpers.js";

const LONG_AGO = new Date("2024-01-01T00:00:00Z");
const YESTERDAY = new Date(Date.now() - 24 * 3600 * 1000);
const NOW = new Date();

/** A filter project: asconfig.json, assembly/index.ts and a built module, all dated LONG_AGO. */
function project(): string {
  const dir = tempDir("pwa-stale-");
  mkdirSync(join(dir, "assembly", "lib"), { recursive: true });
  mkdirSync(join(dir, "build"));
  const files: [string, string | Buffer][] = [
    ["asconfig.json", '{ "targets": { "release": { "outFile": "build/optimized.wasm" } } }'],
    ["assembly/index.ts", "export function hello(): void {}\n"],
    ["assembly/lib/util.ts", "export const x = 1;\n"],
    // The header of an empty module: enough for `image`; `run` fails later, after its warning.
    ["build/optimized.wasm", Buffer.from("\0asm\x01\0\0\0", "binary")],
  ];
  for (const [path, text] of files) {
    writeFileSync(join(dir, path), text);
    utimesSync(join(dir, path), LONG_AGO, LONG_AGO);
  }
  return dir;
}

function touch(dir: string, path: string, when: Date): void {
  utimesSync(join(dir, path), when, when);
}

const WARNING =
  /^warning: build\/optimized\.wasm is older than assembly\/lib\/util\.ts; rebuild it with `npm run asbuild` \(or `proxy-wasm-as build`\)$/m;

test("the newest source is found under assembly/ and in asconfig.json, not in node_modules", async () => {
  const dir = project();
  mkdirSync(join(dir, "assembly", "node_modules"));
  writeFileSync(join(dir, "assembly", "node_modules", "dep.ts"), "");
  touch(dir, "assembly/lib/util.ts", YESTERDAY);
  assert.equal((await newestSource(dir))?.path, join(dir, "assembly", "lib", "util.ts"));
  touch(dir, "asconfig.json", NOW);
  assert.equal((await newestSource(dir))?.path, join(dir, "asconfig.json"));
  // A module outside any project, or one that is not there, has nothing to be stale against.
  assert.equal(await staleWarning(join(tempDir(), "plugin.wasm")), undefined);
  assert.equal(await staleWarning(join(dir, "build", "missing.wasm")), undefined);
});

test("image warns when build/optimized.wasm is older than a source, and still builds", () => {
  const dir = project();
  touch(dir, "assembly/lib/util.ts", YESTERDAY);
  const r = cli(["image", "--quiet", "--out", "build/image"], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, WARNING);
  assert.equal(r.stderr.split("\n").filter(Boolean).length, 1, "one line");
  assert.match(r.stdout, /^compat image sha256:/);

  touch(dir, "build/optimized.wasm", NOW);
  const fresh = cli(["image", "--quiet", "--out", "build/image"], dir);
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.equal(fresh.stderr, "");
});

test("image names asconfig.json when that is what changed since the build", () => {
  const dir = project();
  touch(dir, "build/optimized.wasm", YESTERDAY);
  touch(dir, "asconfig.json", NOW);
  const r = cli(["image", "--quiet", "--out", "build/image"], dir);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^warning: build\/optimized\.wasm is older than asconfig\.json;/m);
});

test("push warns about a stale module (--wasm) and a layout written before the sources changed", () => {
  const dir = project();
  // Nothing listens on port 1: the push fails after the warning, without a registry.
  const registry = "127.0.0.1:1/filters/stale:v1";
  const image = cli(["image", "--quiet", "--out", "build/image"], dir);
  assert.equal(image.code, 0, image.stderr);
  touch(dir, "build/image/index.json", YESTERDAY);
  touch(dir, "build/optimized.wasm", YESTERDAY);

  const fresh = cli(["push", "build/image", registry, "--insecure", "--quiet"], dir);
  assert.equal(fresh.code, 1);
  assert.doesNotMatch(fresh.stderr, /warning/);

  touch(dir, "assembly/index.ts", NOW);
  const layout = cli(["push", "build/image", registry, "--insecure", "--quiet"], dir);
  assert.equal(layout.code, 1);
  assert.match(
    layout.stderr,
    /^warning: build\/image is older than assembly\/index\.ts; rebuild it with `npm run asbuild` and `proxy-wasm-as image --out build\/image`$/m,
  );
  const wasm = cli(
    ["push", "--wasm", "build/optimized.wasm", registry, "--insecure", "--quiet"],
    dir,
  );
  assert.equal(wasm.code, 1);
  assert.match(wasm.stderr, /^warning: build\/optimized\.wasm is older than assembly\/index\.ts;/m);
});

test("run warns about a stale module given by path, and about one an envoy.yaml loads", () => {
  const dir = project();
  touch(dir, "assembly/lib/util.ts", YESTERDAY);
  // The empty module is refused when the filter starts, which is after the check.
  const r = cli(["run", "build/optimized.wasm", "--port", "0"], dir);
  assert.equal(r.code, 1);
  assert.match(r.stderr, WARNING);

  writeFileSync(
    join(dir, "envoy.yaml"),
    [
      "static_resources:",
      "  listeners:",
      "    - address: { socket_address: { address: 127.0.0.1, port_value: 0 } }",
      "      filter_chains:",
      "        - filters:",
      "            - name: envoy.filters.network.http_connection_manager",
      "              typed_config:",
      '                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
      "                http_filters:",
      "                  - name: my_filter",
      "                    typed_config:",
      '                      "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm',
      "                      config:",
      "                        vm_config: { code: { local: { filename: build/optimized.wasm } } }",
      "                  - name: envoy.filters.http.router",
      "",
    ].join("\n"),
  );
  const envoy = cli(["run", "--envoy", "envoy.yaml"], dir);
  assert.equal(envoy.code, 1);
  assert.match(envoy.stderr, WARNING);

  touch(dir, "build/optimized.wasm", NOW);
  const fresh = cli(["run", "build/optimized.wasm", "--port", "0"], dir);
  assert.equal(fresh.code, 1);
  assert.doesNotMatch(fresh.stderr, /warning/);
  assert.match(fresh.stderr, /Proxy-Wasm ABI version/, "it got as far as loading the module");
});

test("test --no-build warns that the module it will test is older than the sources", () => {
  const dir = project();
  touch(dir, "assembly/lib/util.ts", YESTERDAY);
  // No test/ directory: it stops after the check, saying there are no tests.
  const r = cli(["test", "--no-build"], dir);
  assert.equal(r.code, 1);
  assert.match(r.stderr, WARNING);
  assert.match(r.stderr, /no tests in/);
  touch(dir, "build/optimized.wasm", NOW);
  assert.doesNotMatch(cli(["test", "--no-build"], dir).stderr, /warning/);
});
