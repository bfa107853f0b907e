// `proxy-wasm-as fuzz`: usage errors, a passing filter, and the planted bug as text and as JSON.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { UsageError } from "../../src/cli/command.js";
import { command } from "../../src/cli/commands/fuzz.js";
import { cli, show } from "../cli/helpers.js";
import { repoRoot, testFilter } from "./helpers.js";

const planted = testFilter("fuzz_planted");
const addHeader = join(repoRoot, "examples", "add_header", "build", "optimized.wasm");

test("bad command lines are usage errors (exit 2) that say what is wrong", async () => {
  const cases: [string[], RegExp][] = [
    [[], /FILTER\.wasm is missing/],
    [[planted, addHeader], /one FILTER\.wasm only/],
    [[planted, "--runs", "0"], /--runs must be an integer of at least 1, not "0"/],
    [[planted, "--runs", "many"], /--runs must be an integer/],
    [[planted, "--seed", "1.5"], /--seed must be an integer/],
    [[planted, "--type", "udp"], /--type must be http or tcp, not "udp"/],
    [[planted, "--log-level", "loud"], /--log-level must be one of trace, debug/],
    [[planted, "--allow-error"], /--allow-error needs a value/],
    [[planted, "--bogus"], /unknown option --bogus/],
  ];
  for (const [args, message] of cases)
    await assert.rejects(
      command.run(args),
      (e) => e instanceof UsageError && message.test(e.message),
    );
  // The CLI turns a UsageError into exit code 2 with a pointer to the help.
  const r = cli(["fuzz", planted, "--runs", "0"], repoRoot);
  assert.equal(r.code, 2, show("fuzz --runs 0", r));
  assert.match(
    r.stderr,
    /--runs must be an integer of at least 1, not "0"; see `proxy-wasm-as fuzz --help`/,
  );
  // A file that is not there: an error of its own (exit 1), not a usage error.
  await assert.rejects(
    command.run([join(repoRoot, "no-such.wasm")]),
    /no-such\.wasm does not exist; build it with `npm run asbuild`/,
  );
});

test("a filter that passes: exit 0 and the runs and seed", () => {
  const r = cli(
    ["fuzz", addHeader, "--root-id", "add_header", "--runs", "60", "--seed", "4"],
    repoRoot,
  );
  assert.equal(r.code, 0, show("fuzz add_header", r));
  assert.match(r.stdout, /60 http runs passed \(seed 4\)/);
});

test("the planted bug: exit 1, the check, the shrunk calls and a test; --json gives the same", () => {
  const args = ["fuzz", planted, "--root-id", "fuzz_planted", "--seed", "11"];
  const text = cli(args, repoRoot);
  assert.equal(text.code, 1, show("fuzz planted", text));
  assert.match(text.stdout, /the filter trapped \(check trap\) in run \d+ \(seed 11\)/);
  assert.match(
    text.stdout,
    /shrunk in \d+ steps to these calls:\n {2}const stream1 = plugin\.newHttpContext\(\);/,
  );
  assert.match(text.stdout, /import \{ Host \} from "proxy-wasm-as\/host";/);
  assert.match(text.stdout, /assert\.equal\(host\.vm\.trap\?\.message, undefined\);/);

  const json = cli([...args, "--json"], repoRoot);
  assert.equal(json.code, 1, show("fuzz planted --json", json));
  const report = JSON.parse(json.stdout);
  assert.equal(report.ok, false);
  assert.equal(report.seed, 11);
  assert.equal(report.failure.check, "trap");
  assert.equal(report.failure.reproduced, true);
  // The same run as the text report, with bytes as base64.
  assert.ok(text.stdout.includes(report.failure.test), "the JSON's test is the printed one");
  const body = report.failure.trace.find((s: { call: string }) => s.call === "requestBody");
  assert.equal(typeof body.chunk, "string");
});
