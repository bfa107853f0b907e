// A fuzz report for people: what passed, or the failing check, the shrunk run and the test.
import type { FuzzReport } from "./fuzz.js";

const CHECKS: Record<string, string> = {
  trap: "the filter trapped",
  "error-log": "the filter logged an error",
  "invalid-output": "the filter passed on something Envoy would not accept",
  "stuck-stream": "a stream never ended",
  "memory-growth": "linear memory kept growing",
  invariant: "your invariant failed",
};

/** The report as text; `name` names the filter in the first line. */
export function formatFuzzReport(report: FuzzReport, name = "the filter"): string {
  const mib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  if (report.ok)
    return (
      `fuzz: ${name}: ${report.runs} ${report.type} runs passed (seed ${report.seed}); ` +
      `linear memory ${mib(report.memory.warm)} after warm-up, ${mib(report.memory.end)} at the end\n`
    );
  const f = report.failure!;
  const lines = [
    `fuzz: ${name}: ${CHECKS[f.check] ?? f.check} (check ${f.check}) in run ${report.runs} (seed ${report.seed})`,
    "",
    f.message,
    "",
    `shrunk in ${f.shrinks} steps to these calls${f.reproduced ? "" : " (it did NOT fail again on a fresh VM: it needs what earlier runs left behind)"}:`,
    ...f.events.map((e) => `  ${e.replace(/\n/g, "\n  ")}`),
    "",
    "a test that reproduces it:",
    "",
    f.test,
  ];
  return lines.join("\n");
}
