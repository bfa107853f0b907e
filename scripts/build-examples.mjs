// Builds every filter in this checkout: examples/<name>/assembly/index.ts →
// examples/<name>/build/optimized.wasm, and the SDK's test filters tests/filters/<name>.ts →
// tests/filters/build/<name>.wasm. With --also-0.28 each is compiled once more with
// AssemblyScript 0.28 (into build/as0.28/) to prove the SDK builds on both.
import { existsSync, readdirSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import "./link-self.mjs";

const also028 = process.argv.includes("--also-0.28");
const only = process.argv.filter((a) => !a.startsWith("--")).slice(2);

function entries() {
  const list = [];
  for (const name of readdirSync("examples").sort()) {
    const entry = join("examples", name, "assembly", "index.ts");
    if (existsSync(entry))
      list.push({ name, entry, out: join("examples", name, "build", "optimized.wasm") });
  }
  if (existsSync("tests/filters")) {
    for (const file of readdirSync("tests/filters").sort()) {
      if (!file.endsWith(".ts")) continue;
      const name = file.slice(0, -3);
      list.push({
        name: `test:${name}`,
        entry: join("tests/filters", file),
        out: join("tests/filters/build", `${name}.wasm`),
      });
    }
  }
  return only.length ? list.filter((e) => only.includes(e.name)) : list;
}

async function compile(asc, entry, out) {
  let errors = "";
  const { error } = await asc.main(
    [
      entry,
      "--config",
      "asconfig.json",
      "--target",
      "release",
      "--outFile",
      out,
      "--textFile",
      out.replace(/\.wasm$/, ".wat"),
    ],
    { stderr: { write: (s) => ((errors += s), true) }, stdout: { write: () => true } },
  );
  return error ? errors || String(error) : null;
}

const compilers = [["0.27", (await import("assemblyscript/asc")).default]];
if (also028) compilers.push(["0.28", (await import("assemblyscript-0.28/asc")).default]);

let failed = 0;
for (const { name, entry, out } of entries()) {
  for (const [version, asc] of compilers) {
    const target =
      version === "0.27" ? out : join("build", "as0.28", name.replace(":", "-") + ".wasm");
    mkdirSync(join(target, ".."), { recursive: true });
    const problem = await compile(asc, entry, target);
    if (problem) {
      failed++;
      process.stderr.write(`✗ ${name} (AssemblyScript ${version})\n${problem}\n`);
    } else {
      process.stdout.write(`✓ ${name} (AssemblyScript ${version}) → ${target}\n`);
    }
  }
}
if (failed) {
  process.stderr.write(`${failed} build(s) failed\n`);
  process.exit(1);
}
