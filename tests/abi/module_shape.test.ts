// Every filter this repository builds must look to Envoy like a Proxy-Wasm 0.2.1 module:
// the ABI marker, one allocator, _initialize instead of a start section, the callbacks it
// exports with their exact signatures, and nothing imported that Envoy does not provide.
// Modules have the lean shape (docs/abi.md §2): besides the callbacks the filter implements
// (tests/abi/lean_exports.test.ts), only the allocator, context create and delete are always
// there; the everything-exported builds (build/all-exports) have every callback.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { toolSkip } from "../tools.js";

import { abiMarker, callbacks, hostcalls, SDK_ABI_VERSION } from "../../scripts/abi.mjs";

/** The ABI table's callbacks (scripts/abi.mjs): export name → [params, results]. */
const CALLBACKS: Record<string, [string[], string[]]> = Object.fromEntries(
  Object.entries(callbacks(SDK_ABI_VERSION)).map(([name, sig]) => [
    name,
    [sig.params.map((p) => p.type), sig.results],
  ]),
);
const MARKER = abiMarker(SDK_ABI_VERSION);
const OTHER_EXPORTS = new Set([MARKER, "_initialize", "memory"]);
/** The callbacks every SDK module exports, whatever its filter implements. */
const ALWAYS = ["proxy_on_memory_allocate", "proxy_on_context_create", "proxy_on_delete"];
/** The table's Proxy-Wasm hostcalls of the SDK's version (none of the toolchain-runtime ones). */
const HOSTCALLS = new Set(
  Object.entries(hostcalls(SDK_ABI_VERSION))
    .filter(([, call]) => !call.runtime)
    .map(([name]) => name),
);

function builtModules(): string[] {
  const found: string[] = [];
  if (existsSync("build/optimized.wasm")) found.push("build/optimized.wasm");
  for (const name of existsSync("examples") ? readdirSync("examples").sort() : []) {
    const file = join("examples", name, "build", "optimized.wasm");
    if (existsSync(file)) found.push(file);
  }
  if (existsSync("build/as0.28")) {
    for (const file of readdirSync("build/as0.28").sort()) {
      if (file.endsWith(".wasm") && !file.startsWith("test-"))
        found.push(join("build/as0.28", file));
    }
  }
  return found.concat(allExportsModules());
}

/** The everything-exported builds (PROXY_WASM_AS_EXPORTS=all) of the examples. */
function allExportsModules(): string[] {
  const dir = join("build", "all-exports", "examples");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((name) => join(dir, name, "build", "optimized.wasm"))
    .filter((file) => existsSync(file));
}

/** Function signatures of exports, read from wasm-objdump's listing. */
function objdumpSignatures(file: string): Map<string, string> {
  const dump = execFileSync("wasm-objdump", ["-x", file], { encoding: "utf8" });
  const types = new Map<string, string>();
  for (const m of dump.matchAll(/ - type\[(\d+)\] (\([^)]*\) -> \S+)/g)) types.set(m[1], m[2]);
  const funcSig = new Map<string, string>();
  for (const m of dump.matchAll(/ - func\[(\d+)\] sig=(\d+)/g)) funcSig.set(m[1], m[2]);
  const out = new Map<string, string>();
  for (const m of dump.matchAll(/ - func\[(\d+)\] <([^>]+)> -> "([^"]+)"/g)) {
    out.set(m[3], types.get(funcSig.get(m[1]) ?? "") ?? "?");
  }
  return out;
}

/**
 * Names of the module's globals, from its name section (subsection 7) when it has one, else from
 * the text format the build writes beside it (`<name>.wat`): release builds carry no names.
 */
function globalNames(file: string): string[] {
  const bytes = readFileSync(file);
  let p = 8;
  const leb = () => {
    let result = 0;
    let shift = 0;
    let byte: number;
    do {
      byte = bytes[p++];
      result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  };
  const names: string[] = [];
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = leb();
    const end = p + size;
    if (id === 0) {
      const nameLength = leb();
      const section = bytes.toString("utf8", p, p + nameLength);
      p += nameLength;
      while (section === "name" && p < end) {
        const sub = bytes[p++];
        const subEnd = leb() + p;
        if (sub === 7) {
          for (let n = leb(); n > 0; n--) {
            leb(); // the global's index
            const length = leb();
            names.push(bytes.toString("utf8", p, p + length));
            p += length;
          }
        }
        p = subEnd;
      }
    }
    p = end;
  }
  const wat = file.replace(/\.wasm$/, ".wat");
  if (names.length === 0 && existsSync(wat)) {
    for (const m of readFileSync(wat, "utf8").matchAll(/^ \(global \$(\S+)/gm)) names.push(m[1]);
  }
  return names;
}

function expectedSignature([params, results]: [string[], string[]]): string {
  return `(${params.join(", ")}) -> ${results.length ? results[0] : "nil"}`;
}

const modules = builtModules();
const allExports = new Set(allExportsModules());

test("the default example and every example are built", () => {
  assert.ok(modules.includes("build/optimized.wasm"), "run npm run asbuild first");
  assert.ok(modules.length >= 2);
});

for (const file of modules) {
  test(`${file} is a Proxy-Wasm 0.2.1 module Envoy can link`, () => {
    const module = new WebAssembly.Module(readFileSync(file));
    const exports = WebAssembly.Module.exports(module);
    const names = new Set(exports.map((e) => e.name));
    const required = allExports.has(file) ? Object.keys(CALLBACKS) : ALWAYS;
    for (const name of [...required, ...OTHER_EXPORTS]) {
      assert.ok(names.has(name), `${file} does not export ${name}`);
    }
    for (const e of exports) {
      assert.ok(
        e.name in CALLBACKS || OTHER_EXPORTS.has(e.name),
        `${file} exports unexpected ${e.name}`,
      );
    }
    assert.ok(!names.has("malloc"), "exactly one allocator: no malloc");
    assert.ok(!names.has("_start"), "a reactor: _initialize, not _start");
    for (const i of WebAssembly.Module.imports(module)) {
      assert.equal(i.module, "env", `${file} imports ${i.module}.${i.name}`);
      assert.ok(
        HOSTCALLS.has(i.name),
        `${file} imports env.${i.name}, which Envoy does not provide`,
      );
    }
  });
}

for (const file of modules) {
  test(`${file} has no shadow stack (no __stack_pointer global)`, () => {
    // The SDK's runtime never collects inside an allocation, so the SDK's settings turn the
    // shadow stack off (stackSize -1); a module that has one was built with other settings.
    const names = globalNames(file);
    assert.ok(names.length > 0, `no global names for ${file}: neither a name section nor a .wat`);
    const stack = names.filter((name) => name.endsWith("__stack_pointer"));
    assert.deepEqual(stack, [], `${file} has a shadow stack`);
  });
}

for (const file of modules) {
  test(
    `${file}: wasm-objdump shows the exact callback signatures and no start section`,
    { skip: toolSkip("wasm-objdump", "wabt") },
    () => {
      const signatures = objdumpSignatures(file);
      for (const [name, sig] of Object.entries(CALLBACKS)) {
        if (!signatures.has(name)) continue; // which ones are there is checked above
        assert.equal(
          signatures.get(name),
          expectedSignature(sig),
          `signature of ${name} in ${file}`,
        );
      }
      assert.equal(signatures.get(MARKER), "() -> nil");
      assert.equal(signatures.get("_initialize"), "() -> nil");
      const headers = execFileSync("wasm-objdump", ["-h", file], { encoding: "utf8" });
      assert.doesNotMatch(
        headers,
        /^\s*Start /m,
        "no start section: nothing may run before _initialize",
      );
    },
  );
}
