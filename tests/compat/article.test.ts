// The seed article's filter (tests/compat/article/assembly/index.ts, byte for byte) builds the
// way a user of the article would build it against proxy-wasm-as — a project of its own with
// node_modules/proxy-wasm-as and an asconfig.json extending the package's compat config — and
// behaves as the article says in the emulator.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  copyFileSync,
  symlinkSync,
  writeFileSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Host } from "proxy-wasm-as/host";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ARTICLE = join(ROOT, "tests/compat/article/assembly/index.ts");
const SEEDS = join(ROOT, "../shared/seeds");

const projects: string[] = [];
after(() => {
  for (const p of projects) rmSync(p, { recursive: true, force: true });
});

/**
 * Builds the article's filter in a fresh user project; returns the wasm path or the error text.
 * `absoluteConfig` also passes `--config <absolute path>`, as scripts and IDEs often do.
 */
function buildLikeAUser(absoluteConfig: boolean): { wasm?: string; error?: string } {
  const project = mkdtempSync(join(tmpdir(), "article-"));
  projects.push(project);
  mkdirSync(join(project, "assembly"));
  mkdirSync(join(project, "node_modules"));
  copyFileSync(ARTICLE, join(project, "assembly/index.ts"));
  symlinkSync(ROOT, join(project, "node_modules/proxy-wasm-as"), "dir");
  writeFileSync(
    join(project, "asconfig.json"),
    JSON.stringify({
      extends: "./node_modules/proxy-wasm-as/asconfig.compat.json",
      targets: {
        release: {
          outFile: "build/optimized.wasm",
          optimizeLevel: 3,
          shrinkLevel: 2,
          noAssert: true,
        },
      },
    }),
  );
  try {
    const args = ["assembly/index.ts", "--target", "release"];
    if (absoluteConfig) args.push("--config", join(project, "asconfig.json"));
    execFileSync(join(ROOT, "node_modules/.bin/asc"), args, {
      cwd: project,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (e) {
    const err = e as { stderr?: Buffer; stdout?: Buffer; message: string };
    const text = `${err.stdout ?? ""}${err.stderr ?? ""}` || err.message;
    // Keep the lines that say what went wrong (asc may print a whole minified bundle first).
    return {
      error: text
        .split("\n")
        .filter((l) => l.length < 400)
        .slice(-12)
        .join("\n"),
    };
  }
  return { wasm: join(project, "build/optimized.wasm") };
}

const built = new Map<boolean, { wasm?: string; error?: string }>();
function build(absoluteConfig: boolean) {
  if (!built.has(absoluteConfig)) built.set(absoluteConfig, buildLikeAUser(absoluteConfig));
  return built.get(absoluteConfig)!;
}

async function helloHeader(pluginConfig: string, absoluteConfig = false): Promise<string[]> {
  const { wasm, error } = build(absoluteConfig);
  assert.ok(wasm, `the article's filter does not build like a user's project:\n${error}`);
  const host = await Host.load(wasm, { rootId: "add_header", pluginConfig });
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/", ":method": "GET" }, { endOfStream: true });
  http.responseHeaders({ ":status": "200" });
  http.complete();
  assert.deepEqual(host.logs("error"), []);
  assert.deepEqual(host.logs("critical"), []);
  return http.response.headers.getAll("hello");
}

test("without configuration the response gets hello: world!", async () => {
  assert.deepEqual(await helloHeader(""), ["world!"]);
});

test("with configuration foo the response gets hello: foo", async () => {
  assert.deepEqual(await helloHeader("foo"), ["foo"]);
});

test("built with an absolute --config path, the filter adds hello: world! / hello: <configuration>", async () => {
  assert.deepEqual(await helloHeader("", true), ["world!"]);
  assert.deepEqual(await helloHeader("foo", true), ["foo"]);
});

test(
  "the filter is the article's code block, byte for byte",
  { skip: existsSync(SEEDS) ? false : "no seed article in ../shared/seeds" },
  () => {
    const blocks: string[] = [];
    for (const name of readdirSync(SEEDS).filter((n) => n.endsWith(".txt"))) {
      const lines = readFileSync(join(SEEDS, name), "utf8").split("\n");
      const start = lines.findIndex((l) =>
        l.startsWith('export * from "@solo-io/proxy-runtime/proxy"'),
      );
      if (start < 0) continue;
      const end = lines.findIndex((l, i) => i > start && l.startsWith("registerRootContext("));
      if (end > start) blocks.push(lines.slice(start, end + 1).join("\n") + "\n");
    }
    assert.equal(blocks.length, 1, "exactly one code block with the filter in the seeds");
    assert.equal(readFileSync(ARTICLE, "utf8"), blocks[0]);
  },
);
