// A short soak of every example (scripts/soak.ts; `npm run soak` runs 1,000,000 requests each):
// after 2,000 requests through the lean module, the SDK's context table holds only the roots and
// memory has not grown since the first tenth of the run.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { exampleSetups, soak } from "../../scripts/soak.ts";

const REQUESTS = 2000;

for (const setup of exampleSetups()) {
  test(`${setup.name}: ${REQUESTS} requests leave the context table and memory flat`, async () => {
    assert.ok(existsSync(setup.wasm), `${setup.wasm} is missing: run npm run asbuild`);
    const result = await soak(setup, REQUESTS);
    assert.deepEqual(result.problems, []);
    assert.equal(result.samples.length, 10);
    assert.equal(result.samples.at(-1)!.sdkContexts, setup.plugins.length);
  });
}

test("the soak sees a leak: without proxy_on_delete every stream stays in the table", async () => {
  const setup = exampleSetups().find((s) => s.name === "add_header")!;
  // Renames the export (same length), as if the module did not export the callback.
  const hideDelete = (bytes: Uint8Array) => {
    const copy = Buffer.from(bytes);
    const name = Buffer.from("proxy_on_delete");
    const at = copy.indexOf(name);
    assert.ok(at > 0, "the module exports proxy_on_delete");
    copy.write("proxy_on_deletX", at);
    return copy;
  };
  const result = await soak(setup, 200, { edit: hideDelete });
  // The root, the stream the soak opens to check its reading, and every request's stream.
  assert.equal(result.samples.at(-1)!.sdkContexts, 1 + 1 + 200);
  assert.match(result.problems.join("\n"), /202 contexts in the SDK's table after 200 requests/);
});
