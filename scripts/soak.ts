// Soak: drives many requests through every example in the host emulator and checks that the
// SDK's context table and the module's memory stay flat, i.e. that no callback the lean shape
// leaves out (assembly/transform/exports.js) was the one forgetting a context.
//
//   npm run soak                         # 1,000,000 requests per example
//   node --import tsx scripts/soak.ts --requests 20000 add_header network
//
// The SDK's context count is read from the module itself: the build writes the module's text
// (`optimized.wat`) beside it, which names the SDK's context count global, and the soak adds an
// export of that global to a copy of the bytes it loads. tests/abi/context_soak.test.ts runs a
// short soak of every example as part of the tests.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseAllDocuments } from "yaml";
import { Host, type HttpContext, type RootContext } from "proxy-wasm-as/host";

/** The SDK's context count (assembly/dispatch/context_table.ts), and the SDK runtime's heap top. */
const CONTEXTS_GLOBAL = /^assembly\/dispatch\/context_table\/count$/;
const HEAP_TOP_GLOBAL = /^assembly\/heap\/blocks\/heapTop$/;
const SOAK_CONTEXTS = "soak_contexts";
const SOAK_HEAP_TOP = "soak_heap_top";

export interface Plugin {
  rootId: string;
  pluginConfig?: string | object;
}

/** How an example runs: its plugins (from its wasmplugin.yaml) and whether it is a TCP filter. */
export interface ExampleSetup {
  name: string;
  wasm: string;
  plugins: Plugin[];
  tcp: boolean;
}

export interface Sample {
  requests: number;
  /** Contexts in the SDK's table: every root, plus any stream not deleted yet. */
  sdkContexts: number;
  /** Contexts the host knows. */
  hostContexts: number;
  memoryBytes: number;
  /** The end of the SDK runtime's heap now (it moves down after a sweep), when it has one. */
  heapTop: number | null;
}

export interface SoakResult {
  name: string;
  roots: number;
  samples: Sample[];
  /** Why the soak failed; empty when every check held. */
  problems: string[];
}

/** The examples of this checkout, each with the plugins its wasmplugin.yaml declares. */
export function exampleSetups(root = "examples"): ExampleSetup[] {
  const out: ExampleSetup[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!existsSync(join(dir, "assembly", "index.ts"))) continue;
    const plugins: Plugin[] = [];
    const yamlFile = join(dir, "wasmplugin.yaml");
    if (existsSync(yamlFile)) {
      for (const doc of parseAllDocuments(readFileSync(yamlFile, "utf8"))) {
        const spec = (doc.toJS() as { spec?: { pluginName?: string; pluginConfig?: object } })
          ?.spec;
        if (spec?.pluginName)
          plugins.push({ rootId: spec.pluginName, pluginConfig: spec.pluginConfig });
      }
    }
    if (plugins.length === 0) plugins.push({ rootId: name });
    const envoy = join(dir, "envoy.yaml");
    const tcp =
      existsSync(envoy) && readFileSync(envoy, "utf8").includes("envoy.filters.network.wasm");
    out.push({ name, wasm: join(dir, "build", "optimized.wasm"), plugins, tcp });
  }
  return out;
}

// ---- reading the SDK's state out of the module ------------------------------------------

function leb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  let byte: number;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

function encodeLeb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Global indexes by name, from the module's text (globals are listed in index order). */
function globalIndexes(watFile: string): Map<string, number> {
  const names = new Map<string, number>();
  let index = 0;
  for (const m of readFileSync(watFile, "utf8").matchAll(
    /^ \((?:import "[^"]*" "[^"]*" )?\(?global \$(\S+)/gm,
  )) {
    names.set(m[1], index++);
  }
  return names;
}

/** A copy of `bytes` that also exports the globals `exports` names (export name → index). */
export function withGlobalExports(bytes: Uint8Array, exports: Map<string, number>): Uint8Array {
  const entries: number[] = [];
  for (const [name, index] of exports) {
    const text = Buffer.from(name, "utf8");
    entries.push(...encodeLeb(text.length), ...text, 0x03, ...encodeLeb(index));
  }
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let p = 8;
  let done = false;
  while (p < bytes.length) {
    const id = bytes[p];
    const [size, start] = leb(bytes, p + 1);
    const end = start + size;
    if (id === 7 && !done) {
      const [count, first] = leb(bytes, start);
      const body = [...encodeLeb(count + exports.size), ...bytes.subarray(first, end), ...entries];
      parts.push(Uint8Array.from([7, ...encodeLeb(body.length), ...body]));
      done = true;
    } else {
      parts.push(bytes.subarray(p, end));
    }
    p = end;
  }
  if (!done) throw new Error("the module has no export section");
  return Buffer.concat(parts);
}

interface Probe {
  /** What to load: the module with the probe's exports added. */
  bytes: Uint8Array;
  read(host: Host): { contexts: number; heapTop: number | null; memoryBytes: number };
}

/** The module's bytes with the SDK's context table (and heap top) exported, and a reader. */
export function probeModule(wasmFile: string): Probe {
  const wat = wasmFile.replace(/\.wasm$/, ".wat");
  if (!existsSync(wat)) throw new Error(`${wat} is missing: build with scripts/build-examples.mjs`);
  const globals = globalIndexes(wat);
  const find = (pattern: RegExp) =>
    [...globals.entries()].find(([name]) => pattern.test(name.replace(/^.*?(?=assembly\/)/, "")));
  const contexts = find(CONTEXTS_GLOBAL);
  if (!contexts) throw new Error(`${wat} names no SDK context count global`);
  const heapTop = find(HEAP_TOP_GLOBAL);
  const exports = new Map([[SOAK_CONTEXTS, contexts[1]]]);
  if (heapTop) exports.set(SOAK_HEAP_TOP, heapTop[1]);
  const bytes = withGlobalExports(readFileSync(wasmFile), exports);
  return {
    bytes,
    read(host) {
      const vmExports = host.vm.exports;
      const memory = vmExports.memory as WebAssembly.Memory;
      const top = vmExports[SOAK_HEAP_TOP] as WebAssembly.Global | undefined;
      return {
        contexts: (vmExports[SOAK_CONTEXTS] as WebAssembly.Global).value as number,
        heapTop: top ? (top.value as number) : null,
        memoryBytes: memory.buffer.byteLength,
      };
    },
  };
}

// ---- traffic ------------------------------------------------------------------------------

const REQUEST_HEADERS = {
  ":method": "POST",
  ":path": "/api/items?id=7",
  ":authority": "example.com",
  ":scheme": "http",
  "content-type": "application/json",
  "user-agent": "soak",
  authorization: "Basic dXNlcjpwYXNz",
  origin: "https://app.example",
  "x-request-id": "soak-1",
};
const REQUEST_BODY = '{"name":"soak","count":1}';
const RESPONSE_HEADERS = { ":status": "200", "content-type": "application/json", server: "soak" };
const RESPONSE_BODY = '{"ok":true}';

/** Answers every pending callout and gRPC call, as an upstream would (bounded). */
function answerCallouts(host: Host): void {
  for (let round = 0; round < 16; round++) {
    const callouts = host.callouts;
    const grpc = host.grpcCalls;
    if (callouts.length === 0 && grpc.length === 0) return;
    for (const c of callouts) host.respondToCallout(c, { status: 200, body: "ok" });
    for (const g of grpc) {
      if (g.kind === "call") host.respondToGrpcCall(g, new Uint8Array([8, 1]));
      else host.closeGrpcCall(g, 0);
    }
  }
}

function httpExchange(plugin: RootContext): HttpContext {
  const http = plugin.newHttpContext();
  const active = () => http.state === "active";
  http.requestHeaders(REQUEST_HEADERS);
  if (active() && !http.request.ended) http.requestBody(REQUEST_BODY, { endOfStream: true });
  answerCallouts(plugin.host);
  if (active()) http.responseHeaders(RESPONSE_HEADERS);
  if (active() && !http.response.ended) http.responseBody(RESPONSE_BODY, { endOfStream: true });
  return http;
}

function tcpExchange(plugin: RootContext): void {
  const tcp = plugin.newTcpContext();
  if (tcp.state === "open") tcp.downstreamData("ping\n");
  if (tcp.state === "open") tcp.upstreamData("pong\n");
  tcp.closeDownstream();
  tcp.closeUpstream();
  tcp.complete();
}

/**
 * Runs `requests` requests through every plugin of the example (each one a whole stream, from
 * headers to delete), with a tick every 100 requests, sampling the SDK's state `samples` times.
 */
export async function soak(
  setup: ExampleSetup,
  requests: number,
  options: { samples?: number; edit?: (bytes: Uint8Array) => Uint8Array } = {},
): Promise<SoakResult> {
  const samples = options.samples ?? 10;
  const probe = probeModule(setup.wasm);
  if (options.edit) probe.bytes = options.edit(probe.bytes);
  const [first, ...more] = setup.plugins;
  const host = await Host.load(probe.bytes, {
    rootId: first.rootId,
    pluginConfig: first.pluginConfig,
    vmId: setup.name,
    logLevel: "critical",
    maxLogEntries: 1000,
    retainForwardedBody: false,
    sourceMap: false,
  });
  const plugins = [host.plugin, ...more.map((p) => host.addPlugin(p))];
  const result: SoakResult = { name: setup.name, roots: plugins.length, samples: [], problems: [] };
  const sample = (done: number) => {
    const state = probe.read(host);
    result.samples.push({
      requests: done,
      sdkContexts: state.contexts,
      hostContexts: host.vm.contexts.size,
      memoryBytes: state.memoryBytes,
      heapTop: state.heapTop,
    });
  };
  // The count is read at a fixed offset: check that it is the count (one context per root now,
  // one more while a stream is open) before trusting it.
  const idle = probe.read(host).contexts;
  const open = plugins[0].newHttpContext();
  open.requestHeaders({ ":method": "GET", ":path": "/", ":authority": "example.com" });
  const during = probe.read(host).contexts;
  open.complete();
  if (idle !== plugins.length || during !== idle + 1) {
    result.problems.push(
      `cannot read the SDK's context count (read ${idle} with ${plugins.length} root(s), ` +
        `${during} with one stream open): is CONTEXTS_GLOBAL in scripts/soak.ts still the count?`,
    );
    return result;
  }
  const every = Math.max(1, Math.floor(requests / samples));
  for (let done = 1; done <= requests; done++) {
    for (const plugin of plugins) {
      if (setup.tcp) tcpExchange(plugin);
      else httpExchange(plugin).complete();
    }
    answerCallouts(host);
    if (done % 100 === 0) {
      host.tick(1000);
      answerCallouts(host);
    }
    if (host.vm.failed) {
      result.problems.push(`the VM failed after ${done} requests: ${host.vm.failure}`);
      return result;
    }
    if (done % every === 0 || done === requests) sample(done);
  }
  check(result);
  return result;
}

/**
 * Flat: at every sample only the roots are in the SDK's table and the host's, and memory does not
 * grow after the first sample (the first tenth of the run warms it up).
 */
function check(result: SoakResult): void {
  const [base, ...rest] = result.samples;
  if (!base) return;
  for (const s of result.samples) {
    if (s.sdkContexts !== result.roots)
      result.problems.push(
        `${s.sdkContexts} contexts in the SDK's table after ${s.requests} requests`,
      );
    if (s.hostContexts !== result.roots)
      result.problems.push(`${s.hostContexts} contexts in the host after ${s.requests} requests`);
  }
  // The heap top moves both ways (a sweep gives the end of the heap back), so only the memory
  // size, which never shrinks, tells growth.
  for (const s of rest) {
    if (s.memoryBytes > base.memoryBytes)
      result.problems.push(
        `memory grew from ${base.memoryBytes} to ${s.memoryBytes} bytes between ${base.requests} and ${s.requests} requests`,
      );
  }
}

function formatResult(r: SoakResult, seconds: number): string {
  const first = r.samples[0];
  const last = r.samples.at(-1);
  const tops = r.samples.map((s) => s.heapTop).filter((t) => t !== null);
  const figures =
    first && last
      ? `contexts ${first.sdkContexts}→${last.sdkContexts} (roots ${r.roots}), ` +
        `memory ${first.memoryBytes}→${last.memoryBytes} B, ` +
        `heap top at most ${tops.length ? Math.max(...tops) : "-"} B ` +
        `(samples ${first.requests}…${last.requests} requests, ${seconds.toFixed(0)} s)`
      : "no samples";
  return `${r.problems.length ? "✗" : "✓"} ${r.name}: ${figures}${r.problems.map((p) => `\n    ${p}`).join("")}`;
}

async function main(argv: string[]): Promise<number> {
  let requests = 1_000_000;
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--requests") {
      requests = Number(argv[++i]);
      if (!Number.isInteger(requests) || requests < 1) {
        console.error(`--requests needs a whole number above 0, not ${argv[i]}`);
        return 2;
      }
    } else names.push(argv[i]);
  }
  const setups = exampleSetups().filter((s) => names.length === 0 || names.includes(s.name));
  const unknown = names.filter((n) => !setups.some((s) => s.name === n));
  if (unknown.length) {
    console.error(`unknown example(s): ${unknown.join(", ")}`);
    return 2;
  }
  let failed = 0;
  for (const setup of setups) {
    if (!existsSync(setup.wasm)) {
      console.error(`${setup.wasm} is missing: run node scripts/build-examples.mjs ${setup.name}`);
      return 2;
    }
    const started = Date.now();
    const result = await soak(setup, requests);
    if (result.problems.length) failed++;
    console.log(formatResult(result, (Date.now() - started) / 1000));
  }
  console.log(failed ? `${failed} example(s) leaked` : `${setups.length} example(s) flat`);
  return failed ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  process.exitCode = await main(process.argv.slice(2));
}
