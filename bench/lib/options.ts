// The command line of `npm run bench [-- --only NAME[,NAME…]] [--variant V[,V…]]`: which parts
// to run and which builds of ours. A run limited either way (or BENCH_QUICK=1) is for iterating:
// it prints its targets and writes bench/build/RESULTS.partial.md, never bench/RESULTS.md or the
// README.
import { WORKLOADS } from "./workloads.js";

/** The parts besides the workloads: the dev proxy against node:http, and the live-object cost. */
export const EXTRA_PARTS = ["dev_proxy", "alloc"] as const;
export const PARTS: string[] = [...WORKLOADS.map((w) => w.name), ...EXTRA_PARTS];
/** How our SDK is built for the runtime comparison ("batched" is the SDK as shipped). */
export const VARIANTS = ["batched", "minimal", "incremental"];

export interface BenchOptions {
  /** The parts asked for with --only, or null for all of them. */
  only: Set<string> | null;
  /** Our builds asked for with --variant, or null for all of them. */
  variants: Set<string> | null;
  /** BENCH_QUICK=1: every count scaled down (a smoke run). */
  quick: boolean;
}

export const USAGE = `usage: npm run bench [-- --only NAME[,NAME…]] [--variant V[,V…]]
  NAME: ${PARTS.join(", ")}
  V: ${VARIANTS.join(", ")} (how our SDK is built; batched is the SDK as shipped)
  --only runs just those parts, --variant just those builds of ours (both repeatable); either
  writes bench/build/RESULTS.partial.md. Without them every part runs, and bench/RESULTS.md and
  the README's Performance summary are written.
  BENCH_QUICK=1 scales every count down (a smoke run; its report is partial too).`;

/** Parses the arguments; throws an Error whose message says what was wrong and what is valid. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchOptions {
  let only: Set<string> | null = null;
  let variants: Set<string> | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const flag = arg.split("=")[0];
    if (flag !== "--only" && flag !== "--variant")
      throw new Error(`unknown argument "${arg}"\n${USAGE}`);
    const valid = flag === "--only" ? PARTS : VARIANTS;
    const what = flag === "--only" ? "workload" : "variant";
    const value = arg.includes("=") ? arg.slice(flag.length + 1) : argv[++i];
    if (value === undefined || value.startsWith("--") || value.trim() === "")
      throw new Error(`${flag} needs a ${what} name; valid: ${valid.join(", ")}`);
    for (const raw of value.split(",")) {
      const name = raw.trim();
      if (name === "") continue;
      if (!valid.includes(name))
        throw new Error(`unknown ${what} "${name}"; valid: ${valid.join(", ")}`);
      if (flag === "--only") (only ??= new Set()).add(name);
      else (variants ??= new Set()).add(name);
    }
  }
  if (variants !== null && VARIANTS.every((v) => variants!.has(v))) variants = null;
  return { only, variants, quick: env.BENCH_QUICK === "1" };
}
