// The README's Performance summary is the bench's: a full `npm run bench` writes it between
// these markers, so the README never carries figures copied by hand.
import { readFileSync, writeFileSync } from "node:fs";

export const START = "<!-- bench:summary:start (written by `npm run bench`, do not edit) -->";
export const END = "<!-- bench:summary:end -->";

/** Replaces what lies between the markers in `file`; throws when they are missing. */
export function writeReadmeSummary(file: string, text: string): void {
  const readme = readFileSync(file, "utf8");
  const a = readme.indexOf(START);
  const b = readme.indexOf(END);
  if (a < 0 || b < a)
    throw new Error(
      `${file} has no bench markers: put ${START} and ${END} where the Performance summary goes`,
    );
  const next = `${readme.slice(0, a + START.length)}\n\n${text.trim()}\n\n${readme.slice(b)}`;
  if (next !== readme) writeFileSync(file, next);
}
