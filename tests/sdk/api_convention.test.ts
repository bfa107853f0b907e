// The public API of "proxy-wasm-as" (assembly/index.ts) follows one error convention (README
// "Errors"): every wrapper of a hostcall returns a WasmResult, a `T | null` or a Result<T>, and
// says so in its doc comment; names are camelCase and documented. The checker walks the export
// graph with the TypeScript compiler API (tests/sdk/api_convention.ts); a planted SDK with one
// violation of each kind proves that it can fail.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkSdk, exportedNames } from "./api_convention.ts";
import { ROOT } from "./helpers.ts";

test("every hostcall wrapper of the SDK follows the error convention", () => {
  const { wrappers, violations } = checkSdk(join(ROOT, "assembly/index.ts"), ROOT);
  assert.deepEqual(
    violations.map((v) => `${v.where} ${v.name}: ${v.problem}`),
    [],
    'every export follows README "Errors"',
  );
  // The walk reaches the wrappers of every area (not a vacuous pass).
  for (const name of [
    "HeaderMap.get",
    "HeaderMap.add",
    "HeaderMap.getAll",
    "Buffer.length",
    "Context.sendLocalResponse",
    "Context.dispatchHttpCall",
    "RootContext.setTickPeriod",
    "TcpContext.closeDownstream",
    "getPropertyInt",
    "request.path",
    "registerSharedQueue",
    "dequeueSharedQueue",
    "callForeignFunction",
    "getCurrentTimeNanoseconds",
    "Counter.increment",
    "log",
  ]) {
    assert.ok(wrappers.includes(name), `${name} is checked as a wrapper`);
  }
});

test('README "API map" lists every export exactly once, one line each', () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const map = readme.slice(
    readme.indexOf("## API map"),
    readme.indexOf("\n## ", readme.indexOf("## API map") + 1),
  );
  const listed = [...map.matchAll(/^- `(\w+)`: /gm)].map((m) => m[1]);
  assert.deepEqual([...listed].sort(), exportedNames(join(ROOT, "assembly/index.ts")));
});

test("the checker fails on planted violations", () => {
  const dir = mkdtempSync(join(tmpdir(), "api-convention-"));
  try {
    mkdirSync(join(dir, "assembly/abi"), { recursive: true });
    mkdirSync(join(dir, "assembly/api"), { recursive: true });
    writeFileSync(
      join(dir, "assembly/abi/imports.ts"),
      "export declare function proxy_get_thing(ptr: usize): u32;\n",
    );
    writeFileSync(
      join(dir, "assembly/api/things.ts"),
      [
        'import { proxy_get_thing } from "../abi/imports";',
        "function fetch(): u32 {",
        "  return proxy_get_thing(0);",
        "}",
        "/** The thing, or -1: a sentinel, not the convention. */",
        "export function getThing(): i64 {",
        "  return fetch() == 0 ? 1 : -1;",
        "}",
        "/** Sets the thing. */",
        "export function setThing(): WasmResult {",
        "  return <WasmResult>proxy_get_thing(1);",
        "}",
        "export function get_other(): string | null {",
        "  return null;",
        "}",
        "/** A holder of things. */",
        "export class Things {",
        "  /** Whether a thing is there. */",
        "  thing(): bool {",
        "    return fetch() == 0;",
        "  }",
        "}",
        "",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "assembly/index.ts"),
      'export { getThing, setThing, get_other, Things } from "./api/things";\n',
    );
    const { wrappers, violations } = checkSdk(join(dir, "assembly/index.ts"), dir);
    assert.deepEqual(wrappers, ["Things.thing", "getThing", "setThing"]);
    const found = violations.map((v) => `${v.name}: ${v.problem}`);
    assert.ok(
      found.some((v) => v.startsWith("getThing: calls the host but returns i64")),
      found.join("\n"),
    );
    assert.ok(found.some((v) => v.startsWith("setThing: returns WasmResult, so its doc comment")));
    assert.ok(found.includes("get_other: exported names are camelCase"));
    assert.ok(found.includes("get_other: every export needs a doc comment"));
    assert.ok(found.some((v) => v.startsWith("Things.thing: calls the host but returns bool")));
    assert.equal(found.length, 5, found.join("\n"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
