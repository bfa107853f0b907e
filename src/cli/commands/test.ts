// `proxy-wasm-as test`: builds the filter, then runs the project's tests under node:test.
import { join } from "node:path";
import type { Command } from "../command.js";
import { UsageError, parseArgs, stringFlag } from "../command.js";
import {
  ProjectError,
  build,
  openProject,
  outFile,
  runProcess,
  staleWarning,
  testFiles,
  tsxLoader,
} from "../project.js";

const help = `usage: proxy-wasm-as test [DIR] [options]

Runs the tests of the project in DIR (default: the current directory): first the "release"
build (as \`proxy-wasm-as build\`; a failed build stops here with asc's errors), then
\`node --import tsx --test\` over test/**/*.test.ts (also .mts, .js, .mjs), which load the
module in the host emulator (proxy-wasm-as/host). The test runner's output and exit code
are passed through.

options:
  --no-build         run the tests against the module already built (with a warning when
                     it is older than the sources)
  --target NAME      build this asconfig.json target first instead of "release"
  --filter PATTERN   only tests whose name matches (node --test-name-pattern)
  --reporter NAME    node:test reporter (spec, tap, dot, junit, …)`;

async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, ["target", "filter", "reporter"], ["no-build"]);
  if (parsed.positionals.length > 1) throw new UsageError("only one DIR can be given");
  try {
    const project = await openProject(parsed.positionals[0] ?? ".");
    if (parsed.flags.has("no-build")) {
      // The tests load what the target last wrote; say so when that predates the sources.
      const out = outFile(project, stringFlag(parsed, "target") ?? "release");
      const stale = out === undefined ? undefined : await staleWarning(join(project.dir, out));
      if (stale !== undefined) console.error(stale);
    } else {
      const target = stringFlag(parsed, "target") ?? "release";
      const result = await build(project, target);
      if (!result.ok) {
        console.error(
          `proxy-wasm-as test: the ${target} build failed (asc exit code ${result.exitCode}); no tests run`,
        );
        return 1;
      }
    }
    const files = await testFiles(project);
    if (files.length === 0) {
      console.error(`proxy-wasm-as test: no tests in ${project.dir}/test (*.test.ts files)`);
      return 1;
    }
    const node = ["--import", tsxLoader(project.dir), "--test"];
    const filter = stringFlag(parsed, "filter");
    if (filter !== undefined) node.push("--test-name-pattern", filter);
    const reporter = stringFlag(parsed, "reporter");
    if (reporter !== undefined) node.push("--test-reporter", reporter);
    return await runProcess(process.execPath, [...node, ...files], project.dir, "inherit");
  } catch (err) {
    if (err instanceof ProjectError) {
      console.error(`proxy-wasm-as test: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

export const command: Command = {
  name: "test",
  summary: "build the filter and run the project's tests in the host emulator",
  help,
  run,
};
