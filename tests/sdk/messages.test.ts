// assembly/dispatch/messages.ts is generated from the table in scripts/messages.mjs: it must be
// what the generator writes now, so a text edited in one place is never stale in the other.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
// @ts-expect-error: a plain ES module script without type declarations
import { render, TARGET } from "../../scripts/messages.mjs";

test("assembly/dispatch/messages.ts matches scripts/messages.mjs (run `node scripts/messages.mjs`)", () => {
  assert.equal(readFileSync(TARGET as string, "utf8"), (render as () => string)());
});
