// `npm run bench:hardening`: what the hardening work bounds, measured (not asserted): memory
// that must stay flat under abuse (a 1 GiB stream through the dev proxy, 10,000 traps, a 1 GiB
// pull from a registry that lies about a blob's size), allocation that must stay linear, and
// JSON bodies. Each measurement lives in its own module beside this one; this runner calls
// them one after another (they each start child processes, so they must not overlap) and
// writes bench/HARDENING.md.
//
//   npm run bench:hardening [-- NAME …]    # NAME: alloc, json, proxy, pull (default: all)
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";

/** What each measurement module gives back. */
export interface Section {
  title: string;
  rows: [string, string][];
  notes: string[];
}

const MEASUREMENTS: Record<string, () => Promise<Section>> = {
  alloc: async () => (await import("./alloc.js")).measureAlloc(),
  json: async () => (await import("./json.js")).measureJson(),
  proxy: async () => (await import("./proxy.js")).measureProxy(),
  pull: async () => (await import("./pull.js")).measurePull(),
};

const asked = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = asked.filter((a) => !(a in MEASUREMENTS));
if (unknown.length > 0) {
  console.error(
    `unknown measurement(s): ${unknown.join(", ")}; known: ${Object.keys(MEASUREMENTS).join(", ")}`,
  );
  process.exit(2);
}
const names = asked.length > 0 ? asked : Object.keys(MEASUREMENTS);

function table(rows: [string, string][]): string[] {
  const escape = (s: string) => s.replace(/\|/g, "\\|");
  return [
    "| measure | value |",
    "| --- | --- |",
    ...rows.map(([a, b]) => `| ${escape(a)} | ${escape(b)} |`),
  ];
}

const out: string[] = [
  "# Hardening measurements",
  "",
  "<!-- Written by `npm run bench:hardening` (bench/hardening/run.ts). Do not edit by hand. -->",
  "",
  `Measured on ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores` +
    ` (${cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}; load average at start` +
    ` ${loadavg()[0].toFixed(2)}. Each figure is measured in its own child process; RSS is` +
    " the operating system's resident set size of that process.",
];
let failed = 0;
for (const name of names) {
  const began = Date.now();
  process.stderr.write(`[hardening] ${name} …\n`);
  let section: Section;
  try {
    section = await MEASUREMENTS[name]();
  } catch (err) {
    failed++;
    section = {
      title: name,
      rows: [],
      notes: [`not measured: ${err instanceof Error ? err.message : String(err)}`],
    };
  }
  process.stderr.write(
    `[hardening] ${name} done in ${((Date.now() - began) / 1000).toFixed(1)} s\n`,
  );
  out.push("", `## ${section.title}`, "");
  if (section.rows.length > 0) out.push(...table(section.rows), "");
  for (const note of section.notes) out.push(`- ${note}`);
}
const file = fileURLToPath(new URL("../HARDENING.md", import.meta.url));
let text = `${out.join("\n").trimEnd()}\n`;
try {
  const prettier = await import("prettier");
  text = await prettier.format(text, {
    ...((await prettier.resolveConfig(file)) ?? {}),
    filepath: file,
  });
} catch {
  // unformatted is still correct
}
writeFileSync(file, text);
process.stderr.write(`[hardening] wrote ${file}\n`);
process.exitCode = failed > 0 ? 1 : 0;
