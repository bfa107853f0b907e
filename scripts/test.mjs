// `npm test`: builds what the stages share (the TypeScript and every module, incrementally),
// then runs every stage even when another fails, prints one summary line per stage (pass/fail
// and duration), and exits non-zero if any stage or the build failed. A failed build is reported
// and the stages still run: those that need no module (typecheck, as-pect) still say what they
// found, and the tests that need a missing module fail naming it.
//
//   node scripts/test.mjs [--serial] [--no-build] [stage …]   # stages: typecheck, as, node, sdk-as0.28
//
// The stages run side by side (a 2-core machine would otherwise idle on a core during the
// single-threaded ones): the node tests print as they run, the other stages' output is held
// and printed whole once the node tests are done. --serial runs one stage after another.
import { spawn, spawnSync } from "node:child_process";

/** The build every stage reads: TypeScript (tsc -b), then each module (scripts/build-examples.mjs). */
const BUILD = [
  ["node_modules/typescript/bin/tsc", "-b", "tsconfig.json"],
  ["scripts/build-examples.mjs", "default", "examples", "tests", "proxy", "--also-0.28"],
];

const STAGES = {
  typecheck: ["node_modules/typescript/bin/tsc", "-p", "tsconfig.tests.json"],
  as: ["node_modules/@as-pect/cli/bin/asp.js", "--config", "as-pect.config.js"],
  node: ["scripts/node-tests.mjs"],
  "sdk-as0.28": ["scripts/node-tests.mjs", "tests/sdk"],
};
const ENV = { "sdk-as0.28": { SDK_TEST_AS: "0.28" } };
const LIVE = "node";

const args = process.argv.slice(2);
const serial = args.includes("--serial");
const asked = args.filter((a) => !a.startsWith("--"));
const unknown = asked.filter((s) => !(s in STAGES));
if (unknown.length) {
  console.error(
    `unknown stage(s): ${unknown.join(", ")}; known: ${Object.keys(STAGES).join(", ")}`,
  );
  process.exit(2);
}
const names = asked.length ? asked : Object.keys(STAGES);
const started = Date.now();
const elapsed = (since = started) => ((Date.now() - since) / 1000).toFixed(1);

/** Runs the build steps in order, output straight through; stops at the first that fails. */
function build() {
  const begin = Date.now();
  process.stdout.write("\n▶ build (incremental)\n");
  for (const step of BUILD) {
    const r = spawnSync(process.execPath, step, { stdio: "inherit" });
    if (r.status !== 0)
      return { name: "build", code: r.status ?? 1, seconds: (Date.now() - begin) / 1000 };
  }
  return { name: "build", code: 0, seconds: (Date.now() - begin) / 1000 };
}

/** Runs one stage; its output goes straight through when `live`, else it is kept. */
function run(name, live) {
  const begin = Date.now();
  return new Promise((resolve) => {
    const output = [];
    const child = spawn(process.execPath, STAGES[name], {
      stdio: live ? "inherit" : ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...ENV[name] },
    });
    child.stdout?.on("data", (d) => output.push(d));
    child.stderr?.on("data", (d) => output.push(d));
    const done = (code) =>
      resolve({ name, code, seconds: (Date.now() - begin) / 1000, output: Buffer.concat(output) });
    child.on("error", (e) => {
      output.push(Buffer.from(`${e.stack ?? e}\n`));
      done(1);
    });
    child.on("close", (code, signal) => done(signal ? 1 : (code ?? 1)));
  });
}

const header = (name) => `\n▶ stage ${name}: node ${STAGES[name].join(" ")}\n`;
const results = args.includes("--no-build") ? [] : [build()];
if (results[0]?.code) process.stdout.write("\nthe build failed (above); the stages run anyway\n");
if (serial || names.length === 1) {
  for (const name of names) {
    process.stdout.write(header(name));
    results.push(await run(name, true));
  }
} else {
  const live = names.includes(LIVE) ? LIVE : names[0];
  process.stdout.write(
    `running stages ${names.join(", ")} side by side; ${names.filter((n) => n !== live).join(", ")} print when ${live} is done\n`,
  );
  process.stdout.write(header(live));
  const pending = names.map((name) => run(name, name === live));
  for (const result of await Promise.all(pending)) {
    if (result.name !== live) {
      process.stdout.write(header(result.name));
      process.stdout.write(result.output);
    }
    results.push(result);
  }
}

process.stdout.write(`\nstages (${elapsed()} s in all):\n`);
for (const { name, code, seconds } of results) {
  const mark = code === 0 ? "✔ pass" : `✖ FAIL (exit ${code})`;
  process.stdout.write(`  ${mark.padEnd(18)} ${name.padEnd(12)} ${seconds.toFixed(1)} s\n`);
}
const failed = results.filter((r) => r.code !== 0);
if (failed.length) {
  process.stdout.write(
    `${failed.length} of ${results.length} stage(s) failed: ${failed.map((r) => r.name).join(", ")}\n`,
  );
  process.exit(1);
}
