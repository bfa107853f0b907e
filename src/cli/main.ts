#!/usr/bin/env node
// The `proxy-wasm-as` command: dispatches to one module per sub-command.
import type { Command } from "./command.js";
import { UsageError, fileErrorMessage, seeHelp } from "./command.js";

/** Every sub-command, loaded on demand so a command starts without loading the others. */
const commands: Record<string, () => Promise<Command>> = {
  // one line per command: name: async () => (await import("./commands/NAME.js")).command,
  build: async () => (await import("./commands/build.js")).command,
  fuzz: async () => (await import("./commands/fuzz.js")).command,
  image: async () => (await import("./commands/image.js")).command,
  init: async () => (await import("./commands/init.js")).command,
  manifest: async () => (await import("./commands/manifest.js")).command,
  migrate: async () => (await import("./commands/migrate.js")).command,
  pull: async () => (await import("./commands/pull.js")).command,
  push: async () => (await import("./commands/push.js")).command,
  run: async () => (await import("./commands/run.js")).command,
  test: async () => (await import("./commands/test.js")).command,
};

/** The command list with each one's summary; only this loads every command module. */
async function usage(): Promise<string> {
  const names = Object.keys(commands).sort();
  const summaries = await Promise.all(
    names.map((n) =>
      commands[n]().then(
        (c) => c.summary,
        (err: unknown) => `(cannot be loaded: ${err instanceof Error ? err.message : String(err)})`,
      ),
    ),
  );
  const width = Math.max(...names.map((n) => n.length));
  return [
    "usage: proxy-wasm-as <command> [options]",
    "",
    "commands:",
    ...names.map((n, i) => `  ${n.padEnd(width)}  ${summaries[i]}`),
    "",
    "Run `proxy-wasm-as <command> --help` for the options of one command.",
  ].join("\n");
}

/** Edit distance, for "did you mean" after a mistyped command. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

function unknownCommand(name: string): string {
  if (name.startsWith("-")) return `proxy-wasm-as: unknown option ${name}; ${seeHelp()}`;
  const near = Object.keys(commands).filter((c) => distance(name, c) <= 2 || c.startsWith(name));
  const hint = near.length === 1 ? ` (did you mean ${near[0]}?)` : "";
  return `proxy-wasm-as: unknown command "${name}"${hint}; ${seeHelp()}`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    // Nothing asked for: the list goes where errors go, so `proxy-wasm-as | less` shows nothing.
    console.error(await usage());
    return 2;
  }
  if (name === "--help" || name === "-h" || (name === "help" && rest.length === 0)) {
    console.log(await usage());
    return 0;
  }
  if (name === "help") {
    // `proxy-wasm-as help run` is `proxy-wasm-as run --help`
    const load = commands[rest[0]];
    if (!load) {
      console.error(unknownCommand(rest[0]));
      return 2;
    }
    console.log((await load()).help);
    return 0;
  }
  const load = commands[name];
  if (!load) {
    console.error(unknownCommand(name));
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
      console.error(`proxy-wasm-as ${name}: ${err.message}; ${seeHelp(name)}`);
      return 2;
    }
    const message = fileErrorMessage(err) ?? (err instanceof Error ? err.message : String(err));
    console.error(`proxy-wasm-as ${name}: ${message}`);
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
