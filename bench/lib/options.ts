// The command line of `npm run bench [-- --only NAME[,NAME…]]`: which parts to run. A run with
// --only (or BENCH_QUICK=1) is for iterating: it prints its targets and writes
// bench/build/RESULTS.partial.md, never bench/RESULTS.md or the README.
import { WORKLOADS } from "./workloads.js";

/** The parts besides the workloads: the dev proxy against node:http, and the live-object cost. */
export const EXTRA_PARTS = ["dev_proxy", "alloc"] as const;
export const PARTS: string[] = [...WORKLOADS.map((w) => w.name), ...EXTRA_PARTS];

export interface BenchOptions {
  /** The parts asked for with --only, or null for all of them. */
  only: Set<string> | null;
  /** BENCH_QUICK=1: every count scaled down (a smoke run). */
  quick: boolean;
}

export const USAGE = `usage: npm run bench [-- --only NAME[,NAME…]]
  NAME: ${PARTS.join(", ")}
  --only runs just those parts (repeatable) and writes bench/build/RESULTS.partial.md;
  without it every part runs and bench/RESULTS.md and the README's Performance summary are written.
  BENCH_QUICK=1 scales every count down (a smoke run; its report is partial too).`;

/** Parses the arguments; throws an Error whose message says what was wrong and what is valid. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  let only: Set<string> | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    let value: string | undefined;
    if (arg === "--only") {
      value = argv[++i];
      if (value === undefined || value.startsWith("--"))
        throw new Error(`--only needs a name; valid: ${PARTS.join(", ")}`);
    } else if (arg.startsWith("--only=")) {
      value = arg.slice("--only=".length);
    } else {
      throw new Error(`unknown argument "${arg}"\n${USAGE}`);
    }
    for (const name of value
      .split(",")
      .map((n) => n.trim())
      .filter(Boolean)) {
      if (!PARTS.includes(name))
        throw new Error(`unknown workload "${name}"; valid: ${PARTS.join(", ")}`);
      (only ??= new Set()).add(name);
    }
  }
  return { only, quick: env.BENCH_QUICK === "1" };
}
