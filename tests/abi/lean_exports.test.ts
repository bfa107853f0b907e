// Every example exports exactly the callbacks its filter implements plus those the SDK needs
// (docs/abi.md §2, "The lean shape"). What an example implements is read here from its source
// (the methods its classes declare), not from assembly/transform/exports.js, so a transform that
// keeps or drops the wrong callback fails this test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { callbacks, SDK_ABI_VERSION } from "../../scripts/abi.mjs";

/** A context method a filter overrides → the callback through which the host reaches it. */
const METHOD_CALLBACK: Record<string, string> = {
  onStart: "proxy_on_vm_start",
  validateConfiguration: "proxy_validate_configuration",
  onConfigure: "proxy_on_configure",
  onTick: "proxy_on_tick",
  onQueueReady: "proxy_on_queue_ready",
  onForeignFunction: "proxy_on_foreign_function",
  onNewConnection: "proxy_on_new_connection",
  onDownstreamData: "proxy_on_downstream_data",
  onUpstreamData: "proxy_on_upstream_data",
  onDownstreamConnectionClose: "proxy_on_downstream_connection_close",
  onUpstreamConnectionClose: "proxy_on_upstream_connection_close",
  onRequestHeaders: "proxy_on_request_headers",
  onRequestBody: "proxy_on_request_body",
  onRequestTrailers: "proxy_on_request_trailers",
  onRequestMetadata: "proxy_on_request_metadata",
  onResponseHeaders: "proxy_on_response_headers",
  onResponseBody: "proxy_on_response_body",
  onResponseTrailers: "proxy_on_response_trailers",
  onResponseMetadata: "proxy_on_response_metadata",
  onHttpCallResponse: "proxy_on_http_call_response",
  onGrpcReceiveInitialMetadata: "proxy_on_grpc_receive_initial_metadata",
  onGrpcReceive: "proxy_on_grpc_receive",
  onGrpcReceiveTrailingMetadata: "proxy_on_grpc_receive_trailing_metadata",
  onGrpcClose: "proxy_on_grpc_close",
  onLog: "proxy_on_log",
  onDone: "proxy_on_done",
};

/** Exported by every filter: the allocator, and the SDK's context bookkeeping. */
const ALWAYS = ["proxy_on_memory_allocate", "proxy_on_context_create", "proxy_on_delete"];

/**
 * Calls in the source that make the SDK need a callback of its own: a callout's reply (the SDK
 * forgets the call there), and the configuration the default onConfigure keeps.
 */
const CALL_NEEDS: [RegExp, string[]][] = [
  [/\b(?:dispatchHttpCall|httpCall)\s*\(/, ["proxy_on_http_call_response"]],
  [
    /\b(?:dispatchGrpcCall|openGrpcStream|grpcCall|grpcStream)\s*\(/,
    ["proxy_on_grpc_receive", "proxy_on_grpc_close"],
  ],
  [/\bgetConfiguration\s*\(/, ["proxy_on_configure"]],
];

const CALLBACK_NAMES = new Set(Object.keys(callbacks(SDK_ABI_VERSION)));

function sourcesOf(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourcesOf(path));
    else if (name.endsWith(".ts")) out.push(readFileSync(path, "utf8"));
  }
  return out;
}

/** The text of each `class X extends Y { … }` body, by brace matching. */
function subclassBodies(source: string): string[] {
  const bodies: string[] = [];
  for (const m of source.matchAll(/\bclass\s+\w+(?:<[^>{]*>)?\s+extends\s+[\w.<>, ]+\{/g)) {
    let depth = 1;
    let i = m.index! + m[0].length;
    const start = i;
    for (; i < source.length && depth > 0; i++) {
      if (source[i] === "{") depth++;
      else if (source[i] === "}") depth--;
    }
    bodies.push(source.slice(start, i - 1));
  }
  return bodies;
}

/** Names of the methods declared directly in a class body (depth 1). */
function declaredMethods(body: string): Set<string> {
  const names = new Set<string>();
  let depth = 0;
  for (const line of body.split("\n")) {
    const m =
      depth === 0 &&
      /^\s*(?:(?:public|protected|private|override|static|async)\s+)*([A-Za-z_]\w*)\s*(?:<[^>]*>)?\(/.exec(
        line,
      );
    if (m) names.add(m[1]);
    for (const ch of line) {
      if (ch === "{") depth++;
      else if (ch === "}") depth--;
    }
  }
  return names;
}

/** The callbacks the example's source says its module needs. */
function expectedCallbacks(sources: string[]): Set<string> {
  const expected = new Set(ALWAYS);
  for (const source of sources) {
    // Comments name methods too ("see onRequestBody("): only code counts.
    const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
    for (const body of subclassBodies(code)) {
      for (const method of declaredMethods(body)) {
        const callback = METHOD_CALLBACK[method];
        if (callback) expected.add(callback);
      }
    }
    for (const [pattern, needed] of CALL_NEEDS) {
      if (pattern.test(code)) for (const c of needed) expected.add(c);
    }
  }
  return expected;
}

function exportedCallbacks(file: string): Set<string> {
  const module = new WebAssembly.Module(readFileSync(file));
  return new Set(
    WebAssembly.Module.exports(module)
      .map((e) => e.name)
      .filter((name) => CALLBACK_NAMES.has(name)),
  );
}

const examples = readdirSync("examples")
  .sort()
  .filter((name) => existsSync(join("examples", name, "assembly", "index.ts")));

test("the source reader finds overrides and SDK calls", () => {
  const source = `
    class Root extends RootContext {
      onConfigure(size: u32): bool { return super.onConfigure(size); }
      createContext(id: u32): Context { return new Filter(id, this); }
    }
    // onLog( in a comment does not count
    class Filter extends Context {
      onRequestBody(size: usize, end: bool): FilterDataStatus {
        if (end) { this.dispatchHttpCall("c", [], null, [], 100); }
        return FilterDataStatus.Continue;
      }
    }
    class Helper { onTick(): void {} }`;
  assert.deepEqual(
    [...expectedCallbacks([source])].sort(),
    [
      ...ALWAYS,
      "proxy_on_configure",
      "proxy_on_http_call_response",
      "proxy_on_request_body",
    ].sort(),
  );
});

for (const name of examples) {
  const builds = [
    join("examples", name, "build", "optimized.wasm"),
    join("build", "as0.28", `${name}.wasm`),
  ];
  for (const file of builds) {
    test(`${file} exports exactly the callbacks ${name} implements and the SDK needs`, (t) => {
      if (!existsSync(file)) {
        if (file.includes("as0.28")) return t.skip("not built (build with --also-0.28)");
        assert.fail(`${file} is missing: run node scripts/build-examples.mjs examples`);
      }
      const expected = expectedCallbacks(sourcesOf(join("examples", name, "assembly")));
      assert.deepEqual([...exportedCallbacks(file)].sort(), [...expected].sort());
    });
  }
}
