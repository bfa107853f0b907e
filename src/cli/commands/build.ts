// `proxy-wasm-as build`: compiles the project's filter with its own asc and asconfig.json.
import type { Command } from "../command.js";
import { UsageError, parseArgs, stringFlag } from "../command.js";
import { ProjectError, build, openProject } from "../project.js";
import { displayPath } from "../scaffold.js";
import { join } from "node:path";

const help = `usage: proxy-wasm-as build [DIR] [options]

Compiles the filter of the project in DIR (default: the current directory) with the project's
AssemblyScript compiler (asc) and asconfig.json: assembly/index.ts (or asconfig's "entries")
for the "release" target, build/optimized.wasm in the starter template. Compiler errors are
shown exactly as asc prints them; the exit code is 1 when the build fails.

options:
  --debug          build the "debug" target instead (build/untouched.wasm in the template)
  --target NAME    build another asconfig.json target
  --json           print the result (target, outFile, bytes, sha256) as JSON on stdout;
                   asc's own output then goes to stderr
  --quiet          no summary line after a successful build`;

async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, ["target"], ["debug", "json", "quiet"]);
  if (parsed.positionals.length > 1) throw new UsageError("only one DIR can be given");
  const named = stringFlag(parsed, "target");
  if (named !== undefined && parsed.flags.has("debug")) {
    throw new UsageError("--debug and --target cannot be used together");
  }
  const target = named ?? (parsed.flags.has("debug") ? "debug" : "release");
  const json = parsed.flags.has("json");
  try {
    const project = await openProject(parsed.positionals[0] ?? ".");
    const result = await build(project, target, json);
    if (json) {
      console.log(JSON.stringify({ dir: project.dir, ...result }, null, 2));
    } else if (!result.ok) {
      console.error(
        `proxy-wasm-as build: the ${target} build failed (asc exit code ${result.exitCode})`,
      );
    } else if (!parsed.flags.has("quiet") && result.outFile !== undefined) {
      const path = displayPath(join(project.dir, result.outFile));
      console.error(`✓ ${target} build → ${path} (${result.bytes} bytes, sha256 ${result.sha256})`);
    }
    return result.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof ProjectError) {
      console.error(`proxy-wasm-as build: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

export const command: Command = {
  name: "build",
  summary: "compile the project's filter with asc",
  help,
  run,
};
