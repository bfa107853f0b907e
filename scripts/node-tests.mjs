// Runs every TypeScript test file under the given folders with node's test runner (Node 20
// expands no globs itself): tests/**/*.test.ts and examples/*/test/*.test.ts by default.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
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
for (const root of roots.length ? roots : ["tests", "examples"]) {
  if (root.endsWith(".test.ts")) files.push(root);
  else collect(root, files);
}
if (files.length === 0) {
  console.error("no test files found under " + (roots.join(", ") || "tests, examples"));
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-reporter=spec", ...files],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
