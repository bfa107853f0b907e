#!/usr/bin/env node
// The `proxy-wasm-as` command: dispatches to one module per sub-command.
import type { Command } from "./command.js";
import { UsageError } from "./command.js";

/** Every sub-command, loaded on demand so `--help` stays fast. */
const commands: Record<string, () => Promise<Command>> = {
  // one line per command: name: async () => (await import("./commands/NAME.js")).command,
  build: async () => (await import("./commands/build.js")).command,
  image: async () => (await import("./commands/image.js")).command,
  init: async () => (await import("./commands/init.js")).command,
  manifest: async () => (await import("./commands/manifest.js")).command,
  pull: async () => (await import("./commands/pull.js")).command,
  push: async () => (await import("./commands/push.js")).command,
  run: async () => (await import("./commands/run.js")).command,
  test: async () => (await import("./commands/test.js")).command,
};

function usage(): string {
  const names = Object.keys(commands).sort();
  return [
    "usage: proxy-wasm-as <command> [options]",
    "",
    "commands:",
    ...names.map((n) => `  ${n}`),
    "",
    "Run `proxy-wasm-as <command> --help` for the options of one command.",
  ].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const load = commands[name];
  if (!load) {
    console.error(`proxy-wasm-as: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const command = await load();
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`proxy-wasm-as ${name}: ${err.message}\n\n${command.help}`);
      return 2;
    }
    console.error(`proxy-wasm-as ${name}: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

// `proxy-wasm-as … | head` closes the pipe early; that is not an error worth a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
