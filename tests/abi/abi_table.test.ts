// scripts/abi.mjs is the one table of the ABI: the enum files are generated from it, and the
// SDK's hostcall and callback declarations must give every function the table's wasm signature.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import {
  CALLBACKS,
  checkTable,
  ENUMS,
  GENERATED,
  HOSTCALLS,
  render,
  SDK_ABI_VERSION,
  type Member,
  type Signature,
} from "../../scripts/abi.mjs";
import { ABI_VERSIONS as HOST_ABI_VERSIONS } from "../../src/host/enums.js";
import * as hostEnums from "../../src/host/enums.js";
import { envHostcalls, exportSignatures } from "../../src/host/signatures.js";
import { LOG_LEVEL_NAMES, toLogLevel } from "../../src/host/log_level.js";

/** The first line where two texts differ, as a short message; null when they are equal. */
function firstDifference(actual: string, expected: string): string | null {
  if (actual === expected) return null;
  const a = actual.split("\n");
  const e = expected.split("\n");
  let i = 0;
  while (i < a.length && i < e.length && a[i] === e[i]) i++;
  return `line ${i + 1} is ${JSON.stringify(a[i] ?? "(end of file)")}, the table gives ${JSON.stringify(e[i] ?? "(end of file)")}`;
}

test("the ABI table is consistent: unique names and values, known ABI versions", () => {
  assert.doesNotThrow(checkTable);
});

for (const { target } of GENERATED) {
  const file = relative(process.cwd(), target);
  test(`${file} is what scripts/abi.mjs generates (run \`node scripts/abi.mjs\`)`, async () => {
    const difference = firstDifference(readFileSync(target, "utf8"), await render(target));
    assert.equal(
      difference,
      null,
      `${file} differs from the ABI table (${difference}): run \`node scripts/abi.mjs\``,
    );
  });
}

/** AssemblyScript types → the wasm type they lower to. */
const WASM_TYPE: Record<string, string> = {
  bool: "i32",
  i8: "i32",
  u8: "i32",
  i16: "i32",
  u16: "i32",
  i32: "i32",
  u32: "i32",
  isize: "i32",
  usize: "i32",
  i64: "i64",
  u64: "i64",
  f32: "f32",
  f64: "f64",
  void: "",
};

interface Declared {
  params: { name: string; type: string }[];
  results: string[];
}

/** `name(a: u32, b: usize): u32` → names and wasm types, as declared in AssemblyScript. */
function parseSignature(file: string, params: string, result: string): Declared {
  const wasm = (type: string): string => {
    const t = WASM_TYPE[type.trim()];
    assert.ok(t !== undefined, `${file}: no wasm type known for AssemblyScript type ${type}`);
    return t;
  };
  const list = params
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => {
      const [name, type] = p.split(":").map((s) => s.trim());
      return { name, type: wasm(type) };
    });
  const r = wasm(result);
  return { params: list, results: r ? [r] : [] };
}

function declarations(file: string, pattern: RegExp): Map<string, Declared> {
  const out = new Map<string, Declared>();
  for (const m of readFileSync(file, "utf8").matchAll(pattern)) {
    const [, name, params, result] = m;
    assert.ok(!out.has(name), `${file} declares ${name} twice`);
    out.set(name, parseSignature(file, params, result));
  }
  return out;
}

function sameAs(table: Signature): Declared {
  return { params: table.params.map((p) => ({ ...p })), results: [...table.results] };
}

test("assembly/abi/imports.ts declares every 0.2.1 hostcall as the ABI table gives it", () => {
  const file = "assembly/abi/imports.ts";
  const declared = declarations(
    file,
    /@external\("env", "(\w+)"\)\s*export declare function \w+\(([^)]*)\):\s*(\w+);/g,
  );
  const raw = readFileSync(file, "utf8").match(/@external\(/g)?.length ?? 0;
  assert.equal(declared.size, raw, `${file}: an @external declaration this test cannot read`);
  const wanted = Object.entries(HOSTCALLS).filter(
    ([, h]) => !h.runtime && h.abi.includes(SDK_ABI_VERSION),
  );
  for (const [name, h] of wanted) {
    assert.ok(declared.has(name), `${file} does not declare env.${name}`);
    assert.deepEqual(
      declared.get(name),
      sameAs(h),
      `${file}: ${name} differs from scripts/abi.mjs`,
    );
  }
  for (const name of declared.keys()) {
    assert.ok(
      wanted.some(([n]) => n === name),
      `${file} imports env.${name}, which is not a ${SDK_ABI_VERSION} hostcall in scripts/abi.mjs`,
    );
  }
});

test("assembly/abi/exports.ts defines every callback as the ABI table gives it", () => {
  const file = "assembly/abi/exports.ts";
  const declared = declarations(file, /export function (proxy_\w+)\(([^)]*)\):\s*(\w+)/g);
  declared.delete(`proxy_abi_version_${SDK_ABI_VERSION.replaceAll(".", "_")}`);
  for (const [name, c] of Object.entries(CALLBACKS)) {
    assert.ok(declared.has(name), `${file} does not define ${name}`);
    assert.deepEqual(
      declared.get(name),
      sameAs(c),
      `${file}: ${name} differs from scripts/abi.mjs`,
    );
  }
  for (const name of declared.keys()) {
    assert.ok(name in CALLBACKS, `${file} exports ${name}, which scripts/abi.mjs does not list`);
  }
});

test("the host links each version's hostcalls and requires each callback's signature", () => {
  assert.deepEqual([...HOST_ABI_VERSIONS], ["0.1.0", "0.2.0", "0.2.1"]);
  const headers = exportSignatures("0.1.0").proxy_on_request_headers;
  assert.equal(headers.params.length, 2, "0.1.0 headers callbacks have no end-of-stream flag");
  assert.equal(exportSignatures("0.2.1").proxy_on_request_headers.params.length, 3);
  assert.ok("proxy_continue_request" in envHostcalls("0.1.0"));
  assert.ok(!("proxy_continue_request" in envHostcalls("0.2.0")));
  assert.ok(!("proxy_get_log_level" in envHostcalls("0.2.0")));
  assert.ok("proxy_get_log_level" in envHostcalls("0.2.1"));
  assert.deepEqual(envHostcalls("0.2.1").proxy_increment_metric, {
    params: ["i32", "i64"],
    results: ["i32"],
  });
});

test("the host's enums have the table's names and values", () => {
  const exported = hostEnums as unknown as Record<string, Record<string, number>>;
  for (const e of ENUMS) {
    const host = exported[e.name];
    assert.ok(host, `src/host/enums.ts has no ${e.name}`);
    for (const m of e.members) assert.equal(host[m.name], m.value, `${e.name}.${m.name}`);
  }
});

/** The text of one `## n. Title` section of docs/abi.md. */
function docSection(number: number): string {
  const text = readFileSync("docs/abi.md", "utf8");
  const start = text.indexOf(`\n## ${number}. `);
  assert.ok(start >= 0, `docs/abi.md has no section ${number}`);
  const end = text.indexOf("\n## ", start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

test("docs/abi.md §5 gives each enum member the table's value", () => {
  const section = docSection(5);
  let checked = 0;
  // "- `A` and `B` (TCP): Member 0, Member 1 …" up to the next item.
  for (const item of section.split(/\n- /).slice(1)) {
    const m = item.match(/^((?:`\w+`[^:`]*?)+):(.*)$/s);
    if (!m) continue;
    const names = [...m[1].matchAll(/`(\w+)`/g)].map((n) => n[1]);
    const pairs = [...m[2].matchAll(/\b([A-Z]\w*) (-?\d+)\b/g)];
    for (const name of names) {
      const e = ENUMS.find((x) => x.name === name);
      assert.ok(e, `docs/abi.md §5 names ${name}, which the table does not have`);
      for (const [, member, value] of pairs) {
        const found: Member | undefined = e.members.find((x) => x.name === member);
        assert.ok(found, `docs/abi.md §5: ${name} has no member ${member} in the table`);
        assert.equal(found.value, Number(value), `docs/abi.md §5: ${name}.${member}`);
        checked++;
      }
    }
  }
  assert.ok(checked >= 30, `only ${checked} enum values found in docs/abi.md §5`);
});

test("docs/abi.md §3 names every 0.2.1 hostcall of the table", () => {
  const hostcalls = docSection(3);
  for (const [name, h] of Object.entries(HOSTCALLS)) {
    if (h.runtime || !h.abi.includes(SDK_ABI_VERSION)) continue;
    assert.ok(hostcalls.includes(`\`${name}\``), `docs/abi.md §3 does not mention ${name}`);
  }
});

test("the host's log level names are LogLevel's members in order", () => {
  const levels = ENUMS.find((e) => e.name === "LogLevel")!.members;
  for (const [i, name] of LOG_LEVEL_NAMES.entries()) {
    const member = levels.find((m) => m.name.toLowerCase() === name);
    assert.equal(member?.value, i, `"${name}" is LogLevel ${i}`);
    assert.equal(toLogLevel(name), i);
  }
  assert.equal(toLogLevel("off"), levels.find((m) => m.name === "Off")!.value);
});
