// Runs every TypeScript test file under the given folders with node's test runner (Node 20
// expands no globs itself): tests/**/*.test.ts by default. The examples' own tests
// (examples/*/test/*.test.ts) run inside tests/abi/lean_differential.test.ts, on the lean build and
// on the everything-exported one, so the default run does not run them a second time; name
// `examples` or an example's folder to run them directly.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";

function collect(dir, out) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir).sort()) {
    if (name === "node_modules" || name === "build" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith(".test.ts")) out.push(path);
  }
}

const roots = process.argv.slice(2);
const files = [];
for (const root of roots.length ? roots : ["tests"]) {
  if (root.endsWith(".test.ts")) files.push(root);
  else collect(root, files);
}
// The files that take longest start first, so the two slots stay busy to the end instead of one
// long file running alone at the tail (longest-first packing).
const SLOW_FIRST = [
  "tests/cli/project.test.ts",
  "tests/abi/lean_differential.test.ts",
  "tests/cli/migrate.test.ts",
  "tests/compat/packages.test.ts",
  "tests/fuzz/examples.test.ts",
  "tests/fuzz/fuzz.test.ts",
  "tests/sdk/runtime.test.ts",
  "tests/cli/init.test.ts",
];
const rank = (file) => {
  const i = SLOW_FIRST.indexOf(file.replaceAll("\\", "/"));
  return i === -1 ? SLOW_FIRST.length : i;
};
files.sort((a, b) => rank(a) - rank(b));
if (files.length === 0) {
  console.error("no test files found under " + (roots.join(", ") || "tests"));
  process.exit(1);
}
// npm puts node_modules/.bin first on the PATH of `npm test`, and @as-pect/cli brings npm 6
// along (through glob-promise → npm-install-peers), so a test's `npm pack` or `npm install`
// would run that old npm. Tests find their tools by path, so the PATH they see drops those dirs.
const sep = process.platform === "win32" ? ";" : ":";
const PATH = (process.env.PATH ?? "")
  .split(sep)
  .filter((dir) => !/node_modules[\\/]\.bin$/.test(dir))
  .join(sep);
// Node 20 runs cores−1 files at once by default: one at a time on 2 cores, with a core idle
// while a file waits on a child process or the network. PROXY_WASM_AS_TEST_CONCURRENCY overrides.
const concurrency =
  Number(process.env.PROXY_WASM_AS_TEST_CONCURRENCY) || Math.max(2, availableParallelism());
const result = spawnSync(
  process.execPath,
  [
    "--import",
    "tsx",
    "--test",
    `--test-concurrency=${concurrency}`,
    "--test-reporter=spec",
    ...files,
  ],
  // The emulator fails a VM that is called back into during a call (Envoy never does that):
  // on for this repository's tests unless the environment says otherwise.
  {
    stdio: "inherit",
    env: { PROXY_WASM_AS_STRICT_REENTRANCY: "1", ...process.env, PATH },
  },
);
process.exit(result.status ?? 1);
