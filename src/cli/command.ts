import { readFile } from "node:fs/promises";

/** One sub-command of the `proxy-wasm-as` CLI. */
export interface Command {
  /** The word typed after `proxy-wasm-as`. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full `--help` text. */
  help: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

/** What `parseArgs` found: flags by name and the positional words in order. */
export interface ParsedArgs {
  flags: Map<string, string | true>;
  positionals: string[];
}

/** Thrown for bad command-line input; the CLI prints the message and exits with code 2. */
export class UsageError extends Error {}

/**
 * Parses `--flag value`, `--flag=value` and boolean `--flag` words.
 * `booleans` names the flags that never take a value; any flag not in `known` is a UsageError.
 */
export function parseArgs(args: string[], known: string[], booleans: string[] = []): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const word = args[i];
    if (!word.startsWith("--") || word === "--") {
      positionals.push(word);
      continue;
    }
    const eq = word.indexOf("=");
    const name = eq < 0 ? word.slice(2) : word.slice(2, eq);
    if (!known.includes(name) && !booleans.includes(name)) {
      throw new UsageError(`unknown option --${name}`);
    }
    if (booleans.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
    } else if (eq >= 0) {
      flags.set(name, word.slice(eq + 1));
    } else {
      const value = args[i + 1];
      if (value === undefined || value.startsWith("--")) {
        throw new UsageError(`--${name} needs a value`);
      }
      flags.set(name, value);
      i++;
    }
  }
  return { flags, positionals };
}

/** The string value of a flag, or undefined; a boolean use of a value flag is a UsageError. */
/**
 * Takes the repeatable `--name VALUE` flags out of `args` (parseArgs keeps one value per flag).
 * `needs` says, per flag, what a missing value should have been ("a value" when not given).
 */
export function takeRepeated(
  args: string[],
  names: string[],
  needs: Record<string, string> = {},
): { rest: string[]; found: Record<string, string[]> } {
  const rest: string[] = [];
  const found: Record<string, string[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < args.length; i++) {
    const name = names.find((n) => args[i] === `--${n}` || args[i].startsWith(`--${n}=`));
    if (!name) {
      rest.push(args[i]);
      continue;
    }
    const value = args[i].includes("=") ? args[i].slice(args[i].indexOf("=") + 1) : args[++i];
    if (value === undefined || value === "" || (value.startsWith("--") && !args[i].includes("=")))
      throw new UsageError(`--${name} needs ${needs[name] ?? "a value"}`);
    found[name].push(value);
  }
  return { rest, found };
}

export function stringFlag(parsed: ParsedArgs, name: string): string | undefined {
  const value = parsed.flags.get(name);
  if (value === true) throw new UsageError(`--${name} needs a value`);
  return value;
}

/** The one line that points at a command's help after a usage error. */
export function seeHelp(command?: string): string {
  return `see \`proxy-wasm-as ${command === undefined ? "" : `${command} `}--help\``;
}

/**
 * A file-system error said in words ("build/x.wasm does not exist"), or undefined when `err`
 * is not one. The CLI's last resort: commands say what to do about the files they know of.
 */
export function fileErrorMessage(err: unknown, path?: string): string | undefined {
  const e = err as NodeJS.ErrnoException;
  // A read (not an open) that fails, as on a directory, has no path: the caller knows it.
  const where = e?.path ?? path;
  if (typeof e?.code !== "string" || where === undefined) return undefined;
  switch (e.code) {
    case "ENOENT":
      return `${where} does not exist`;
    case "EACCES":
    case "EPERM":
      return `${where}: permission denied`;
    case "EISDIR":
      return `${where} is a directory, not a file`;
    case "ENOTDIR":
      return `${where}: a part of that path is a file, not a directory`;
    case "EEXIST":
      return e.syscall === "mkdir"
        ? `${where} is in the way: it exists and is not a directory`
        : `${where} already exists`;
    case "ENOSPC":
      return `no space left on the device to write ${where}`;
    default:
      return undefined;
  }
}

/**
 * The text of a flag that takes STRING or @FILE (`--config @plugin.json`). A missing or
 * unreadable file is an Error naming the flag and the file (exit 1: the command line is fine).
 */
export async function textOrFile(flag: string, value: string): Promise<string>;
export async function textOrFile(
  flag: string,
  value: string | undefined,
): Promise<string | undefined>;
export async function textOrFile(
  flag: string,
  value: string | undefined,
): Promise<string | undefined> {
  if (value === undefined || !value.startsWith("@")) return value;
  const path = value.slice(1);
  if (path === "") throw new UsageError(`--${flag} @FILE needs a file name after the @`);
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    throw new Error(`--${flag} ${value}: ${fileErrorMessage(err, path) ?? (err as Error).message}`);
  }
}
