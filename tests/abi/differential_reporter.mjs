// A node:test reporter for tests/abi/lean_differential.test.ts: one JSON line per finished test,
// with the file it came from, so one runner can run every example's tests on both builds.
export default async function* reporter(source) {
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const { file, name, nesting, skip, todo } = event.data;
    const status = event.type === "test:pass" ? (skip || todo ? "skip" : "ok") : "not ok";
    yield JSON.stringify({ file, name, nesting, status }) + "\n";
  }
}
