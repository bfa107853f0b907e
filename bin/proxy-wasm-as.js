#!/usr/bin/env node
// The `proxy-wasm-as` command. A published package runs the compiled CLI in dist/; a clone of
// the repository has no dist/ until its TypeScript is compiled, so the first run compiles it
// (npm install runs no build step, so that packages made from this one run no install script).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const main = new URL("../dist/src/cli/main.js", import.meta.url);

if (!existsSync(main) && existsSync(new URL("../tsconfig.json", import.meta.url))) {
  process.stderr.write("proxy-wasm-as: compiling the CLI (first run in this clone)…\n");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const built = spawnSync(npm, ["run", "--silent", "build:ts"], { cwd: root, stdio: "inherit" });
  if (built.status !== 0) {
    process.stderr.write(
      `proxy-wasm-as: compiling failed; run \`npm install\` and then \`npm run build:ts\` in ${root}\n`,
    );
    process.exit(1);
  }
}
if (!existsSync(main)) {
  process.stderr.write(
    `proxy-wasm-as: ${fileURLToPath(main)} is missing; this copy of proxy-wasm-as is incomplete, reinstall it\n`,
  );
  process.exit(1);
}
await import(main.href);
