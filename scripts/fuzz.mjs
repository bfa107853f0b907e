// `npm run fuzz`: fuzzes every example (or the ones named) with many runs each, outside CI.
// Settings per example come from tests/fuzz/examples.json, as in npm test's short fuzz.
//
//   node scripts/fuzz.mjs [NAME …] [--runs N] [--seed S]   # default 100000 runs, a random seed
//
// Needs the compiled host (npm run build:ts) and the examples' modules (build-examples.mjs);
// `npm run fuzz` does both first. Exits 1 when an example fails, after fuzzing all of them.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { fuzz, formatFuzzReport } = await import(join(root, "dist/src/host/index.js"));
const table = JSON.parse(readFileSync(join(root, "tests/fuzz/examples.json"), "utf8"));

const argv = process.argv.slice(2);
const value = (flag) => {
  const i = argv.indexOf(flag);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined || !/^\d+$/.test(v)) {
    console.error(`${flag} needs a whole number`);
    process.exit(2);
  }
  return Number(v);
};
const runs = value("--runs") ?? 100000;
const seed = value("--seed") ?? Math.floor(Math.random() * 2 ** 31);
const names = argv.filter((a, i) => !a.startsWith("--") && !argv[i - 1]?.startsWith("--"));
const unknown = names.filter((n) => !(n in table));
if (unknown.length) {
  console.error(`not in tests/fuzz/examples.json: ${unknown.join(", ")}`);
  process.exit(2);
}

console.log(
  `fuzzing ${names.length || Object.keys(table).length} examples, ${runs} runs each, seed ${seed}`,
);
const failed = [];
for (const [name, options] of Object.entries(table)) {
  if (names.length && !names.includes(name)) continue;
  const wasm = join("examples", name, "build", "optimized.wasm");
  const started = process.cpuUsage();
  const report = await fuzz(join(root, wasm), {
    ...options,
    runs,
    seed,
    testWasm: JSON.stringify(wasm),
  });
  const used = process.cpuUsage(started);
  const cpu = ((used.user + used.system) / 1e6).toFixed(1);
  process.stdout.write(formatFuzzReport(report, name).trimEnd() + ` (${cpu} s of CPU)\n`);
  if (!report.ok) failed.push(name);
}
if (failed.length) {
  console.log(`\n${failed.length} example(s) failed: ${failed.join(", ")}`);
  process.exit(1);
}
console.log("\nevery example passed");
