// A trap points at the filter's code: the AssemblyScript function and file:line from the debug
// build's source map, the function alone from the name section, and a hint for a release build.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Host, StartError, TrapError } from "../../src/host/index.js";
import {
  DEBUG_BUILD_HINT,
  SourceMap,
  decodeMappings,
  decodeVlq,
  findSourceMap,
  parseWasmStack,
  shortName,
} from "../../src/host/trap_location.js";

// ---- the decoder, on hand-written input -------------------------------------------------------

describe("source map decoding", () => {
  it("decodes base64 VLQ numbers (sign in the lowest bit, 5 bits a digit)", () => {
    assert.deepEqual(decodeVlq("A"), [0, 1]);
    assert.deepEqual(decodeVlq("C"), [1, 1]);
    assert.deepEqual(decodeVlq("D"), [-1, 1]);
    assert.deepEqual(decodeVlq("gB"), [16, 2]); // g = 32: no bits, more follow; B = 1·32
    assert.deepEqual(decodeVlq("2H"), [123, 2]); // 54 = 32|22, then 7·32: 246 = 123·2
    assert.deepEqual(decodeVlq("3H"), [-123, 2]);
    assert.deepEqual(decodeVlq("xx,2H", 3), [123, 5]);
    // 2^31 does not wrap to a negative number
    assert.deepEqual(decodeVlq("ggggggE"), [2 ** 31, 7]);
    assert.throws(() => decodeVlq("g"), /ends in the middle/);
    assert.throws(() => decodeVlq("*"), /not base64/);
  });

  it("decodes mappings: relative fields, unmapped segments, lines, names", () => {
    // col 0 → s0 1:1; col 10 → s0 2:3; col 15 unmapped; col 20 → s1 3:4 | next line: col 0, name 1
    const lines = decodeMappings("AAAA,UACE,K,KCCC;AAAAC");
    assert.deepEqual(lines, [
      [
        { generatedColumn: 0, source: 0, line: 0, column: 0 },
        { generatedColumn: 10, source: 0, line: 1, column: 2 },
        { generatedColumn: 15 },
        { generatedColumn: 20, source: 1, line: 2, column: 3 },
      ],
      [{ generatedColumn: 0, source: 1, line: 2, column: 3, name: 1 }],
    ]);
    assert.throws(() => decodeMappings("AA"), /2 fields/);
  });

  it("looks up a byte offset: the last mapped segment at or before it, within the function", () => {
    const map = new SourceMap({
      version: 3,
      sources: ["assembly/index.ts", "~lib/array.ts"],
      names: ["a", "b"],
      mappings: "AAAA,UACE,K,KCCC;AAAAC",
    });
    assert.deepEqual(map.lookup(12), { file: "assembly/index.ts", line: 2, column: 3 });
    // 16 falls on the unmapped segment at 15: the instruction mapped before it stands in
    assert.deepEqual(map.lookup(16), { file: "assembly/index.ts", line: 2, column: 3 });
    assert.equal(map.lookup(16, 0, 15), null); // …unless that is outside the function
    assert.deepEqual(map.lookup(99), { file: "~lib/array.ts", line: 3, column: 4 });
    assert.deepEqual(map.lookup(0, 1), { file: "~lib/array.ts", line: 3, column: 4, name: "b" });
    assert.equal(map.lookup(0, 5), null);
    assert.throws(() => new SourceMap('{"version":2}'), /not a version 3 source map/);
  });

  it("reads V8's wasm frames and leaves the host's frames out", () => {
    const stack = [
      "RuntimeError: unreachable",
      "    at assembly/index/AddHeader#onResponseHeaders (wasm://wasm/0a1b2c3d:wasm-function[42]:0x1a2b)",
      "    at wasm://wasm/0a1b2c3d:wasm-function[7]:0x10",
      "    at Vm.call (/repo/src/host/vm.ts:250:17)",
      "    at node:internal/main/run_main_module:28:49",
    ].join("\n");
    assert.deepEqual(parseWasmStack(stack), [
      { name: "assembly/index/AddHeader#onResponseHeaders", functionIndex: 42, offset: 0x1a2b },
      { name: undefined, functionIndex: 7, offset: 0x10 },
    ]);
    assert.equal(
      shortName("assembly/index/AddHeader#onResponseHeaders"),
      "AddHeader#onResponseHeaders",
    );
    assert.equal(
      shortName("~lib/map/Map<~lib/string/String,i32>#set"),
      "Map<~lib/string/String,i32>#set",
    );
    assert.equal(shortName("boom"), "boom");
  });
});

it("a sourceMappingURL section with a data: URL is the map itself, for bytes too", async () => {
  const map = '{"version":3,"sources":["a.ts"],"mappings":"AAAA"}';
  const str = (t: string) => [t.length, ...Buffer.from(t)]; // lengths < 128: one LEB byte
  const url = `data:application/json;base64,${Buffer.from(map).toString("base64")}`;
  const payload = [...str("sourceMappingURL"), ...str(url)];
  assert.ok(payload.length < 128);
  const wasm = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0, payload.length, ...payload]);
  assert.equal(await findSourceMap(wasm), map);
  assert.equal(await findSourceMap(wasm.subarray(0, 8)), null); // no section, no path
});

// ---- a real filter, built by asc ----------------------------------------------------------------

// Each trap is on a line marked `// TRAP <case>`; the test finds the line numbers by the marks.
const FILTER = `export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  RootContext,
  registerRootContext,
  requestHeaders,
} from "proxy-wasm-as";

class Box {
  n: i32 = 1;
}

class TrapRoot extends RootContext {
  onConfigure(configuration_size: u32): bool {
    const ok = super.onConfigure(configuration_size);
    if (this.getConfiguration() == "trap") unreachable(); // TRAP configure
    return ok;
  }
  createContext(contextId: u32): Context {
    return new TrapFilter(contextId, this);
  }
}

class TrapFilter extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const path = requestHeaders.get(":path");
    if (path == "/unreachable") unreachable(); // TRAP unreachable
    if (path == "/div") {
      const zero = <i32>num_headers - <i32>num_headers;
      return <FilterHeadersStatus>(10 / zero); // TRAP div
    }
    if (path == "/oob") return <FilterHeadersStatus>load<u32>(0xfffffff0); // TRAP oob
    if (path == "/null") {
      const box: Box | null = num_headers > 1000 ? new Box() : null;
      return <FilterHeadersStatus>box!.n; // TRAP null
    }
    if (path == "/throw") throw new Error("boom"); // TRAP throw
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((id: u32) => new TrapRoot(id), "trap");
`;

const LINE: Record<string, number> = {};
FILTER.split("\n").forEach((l, i) => {
  const m = / \/\/ TRAP (\w+)$/.exec(l);
  if (m) LINE[m[1]] = i + 1;
});

let dir = "";
let debugWasm = "";
let releaseWasm = "";

/** Builds the filter with asc's API (the repository's asconfig.json, run from its root). */
async function build(target: "debug" | "release", outFile: string): Promise<void> {
  const asc = (await import("assemblyscript/asc")).default;
  let errors = "";
  const { error } = await asc.main(
    [
      join(dir, "trap_filter.ts"),
      "--config",
      "asconfig.json",
      "--target",
      target,
      "--outFile",
      outFile,
    ],
    {
      stderr: { write: (s: string) => ((errors += s), true) },
      stdout: { write: () => true },
    } as never,
  );
  if (error)
    throw new Error(`building the trap filter (${target}) failed:\n${errors || String(error)}`);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "trap-location-"));
  writeFileSync(join(dir, "trap_filter.ts"), FILTER);
  debugWasm = join(dir, "trap_filter.wasm");
  releaseWasm = join(dir, "trap_filter.release.wasm");
  await build("debug", debugWasm);
  await build("release", releaseWasm);
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** Loads `wasm`, sends a request for `path`, and returns the host and the VM's trap. */
async function trapOn(wasm: string | Uint8Array, path: string, options = {}) {
  const host = await Host.load(wasm, { rootId: "trap", ...options });
  host.newHttpContext().requestHeaders({ ":path": path }, { endOfStream: true });
  assert.ok(host.vm.trap instanceof TrapError, `no trap for ${path}`);
  return { host, trap: host.vm.trap };
}

const at = (line: number) => new RegExp(`trap_filter\\.ts:${line}:\\d+\\)`);

describe("a trap in a debug build names the function and file:line", () => {
  it("unreachable(): message, cause, frames without the host's, and the critical log line", async () => {
    const { host, trap } = await trapOn(debugWasm, "/unreachable");
    assert.match(
      trap.message,
      new RegExp(
        `^filter "trap" trapped in proxy_on_request_headers: unreachable at TrapFilter#onRequestHeaders \\(\\S*trap_filter\\.ts:${LINE.unreachable}:\\d+\\)$`,
      ),
    );
    assert.ok(trap.cause instanceof WebAssembly.RuntimeError);
    assert.equal(trap.callback, "proxy_on_request_headers");
    assert.equal(trap.reason, "unreachable");
    assert.equal(trap.hint, null);
    assert.equal(trap.frames[0].name, "TrapFilter#onRequestHeaders");
    assert.equal(trap.frames[0].library, false);
    assert.equal(trap.frames[0].line, LINE.unreachable);
    assert.equal(trap.at, trap.frames[0]);
    // The SDK's dispatch below it, as library frames; nothing of the emulator (JavaScript).
    assert.ok(trap.frames.length > 1);
    assert.ok(
      trap.frames.slice(1).every((f) => f.library),
      JSON.stringify(trap.frames),
    );
    assert.ok(trap.frames.some((f) => f.name === "proxy_on_request_headers"));
    assert.ok(!trap.frames.some((f) => /src\/host|node:/.test(f.function + (f.file ?? ""))));
    const [critical] = host.logs("critical");
    assert.match(
      critical,
      /^Function: proxy_on_request_headers failed: Uncaught RuntimeError: unreachable at TrapFilter#onRequestHeaders \(/,
    );
    assert.match(critical.split("\n")[0], at(LINE.unreachable));
    assert.match(critical, /backtrace:\n {2}0: TrapFilter#onRequestHeaders \(\S*trap_filter\.ts:/);
    assert.doesNotMatch(critical, /vm\.ts|node:internal|hint:/);
  });

  for (const [path, reason] of [
    ["div", "divide by zero"],
    ["oob", "memory access out of bounds"],
  ] as const) {
    it(`${reason}`, async () => {
      const { trap } = await trapOn(debugWasm, `/${path}`);
      assert.equal(trap.reason, reason);
      assert.match(
        trap.message,
        new RegExp(
          `: ${reason} at TrapFilter#onRequestHeaders \\(\\S*trap_filter\\.ts:${LINE[path]}:\\d+\\)$`,
        ),
      );
    });
  }

  for (const path of ["null", "throw"]) {
    it(`an abort (${path}) points at the filter's line, past the SDK's proxy_abort; the abort's own line stays`, async () => {
      const { host, trap } = await trapOn(debugWasm, `/${path}`);
      assert.equal(trap.frames[0].name, "proxy_abort");
      assert.equal(trap.frames[0].library, true);
      assert.equal(trap.at?.name, "TrapFilter#onRequestHeaders");
      assert.equal(trap.at?.line, LINE[path]);
      assert.match(
        trap.message,
        new RegExp(
          `unreachable at TrapFilter#onRequestHeaders \\(\\S*trap_filter\\.ts:${LINE[path]}:\\d+\\), inside proxy_abort$`,
        ),
      );
      const critical = host.logs("critical");
      assert.match(critical[0], new RegExp(`^abort: .* at \\S*trap_filter\\.ts:${LINE[path]}:`));
      assert.match(critical[1], at(LINE[path]));
    });
  }

  it("a trap while starting is a StartError with the same message, the frames and the cause", async () => {
    const err = await Host.load(debugWasm, { rootId: "trap", pluginConfig: "trap" }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(err instanceof StartError);
    assert.match(
      err.message,
      new RegExp(
        `^filter "trap" trapped in proxy_on_configure: unreachable at TrapRoot#onConfigure \\(\\S*trap_filter\\.ts:${LINE.configure}:\\d+\\)\n`,
      ),
    );
    assert.ok(err.cause instanceof WebAssembly.RuntimeError);
    assert.equal(err.frames[0].line, LINE.configure);
    assert.equal(err.trap?.callback, "proxy_on_configure");
  });
});

describe("finding the source map", () => {
  it("Host.load(path) finds <path>.map when the module's sourceMappingURL leads nowhere", async () => {
    const sub = join(dir, "copy");
    mkdirSync(sub, { recursive: true });
    copyFileSync(debugWasm, join(sub, "renamed.wasm")); // its URL names trap_filter.wasm.map
    copyFileSync(`${debugWasm}.map`, join(sub, "renamed.wasm.map"));
    const { trap } = await trapOn(join(sub, "renamed.wasm"), "/unreachable");
    assert.match(trap.message, at(LINE.unreachable));
  });

  it("Host.load(bytes) takes the map as an option: text, parsed object or path; false for none", async () => {
    const bytes = new Uint8Array(readFileSync(debugWasm));
    const text = readFileSync(`${debugWasm}.map`, "utf8");
    for (const sourceMap of [text, JSON.parse(text), `${debugWasm}.map`]) {
      const { trap } = await trapOn(bytes, "/unreachable", { sourceMap });
      assert.match(trap.message, at(LINE.unreachable));
    }
    // Bytes alone: the relative sourceMappingURL has nothing to be relative to.
    const { trap } = await trapOn(bytes, "/unreachable");
    assert.equal(trap.at?.file, undefined);
    // The name section still names the function; no release hint for a module with names.
    assert.match(
      trap.message,
      /unreachable at TrapFilter#onRequestHeaders \(wasm-function\[\d+\]:0x[0-9a-f]+\)$/,
    );
    const { trap: none } = await trapOn(debugWasm, "/unreachable", { sourceMap: false });
    assert.equal(none.at?.file, undefined);
    await assert.rejects(
      Host.load(bytes, { rootId: "trap", sourceMap: join(dir, "missing.map") }),
      /cannot read the source map/,
    );
  });
});

describe("a release build (no names, no source map)", () => {
  it("says which build shows the source line", async () => {
    const { host, trap } = await trapOn(releaseWasm, "/unreachable");
    assert.equal(trap.hint, DEBUG_BUILD_HINT);
    assert.ok(trap.message.endsWith(`; ${DEBUG_BUILD_HINT}`), trap.message);
    assert.match(trap.message, /^filter "trap" trapped in proxy_on_request_headers: unreachable/);
    assert.ok(trap.frames.every((f) => f.file === undefined));
    assert.match(
      host.logs("critical")[0],
      /\nhint: build with --target debug \(build\/untouched\.wasm\) to see the source line$/,
    );
  });
});
