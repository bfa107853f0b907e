// Writes a failing run as a node:test case on the host API: the same calls, then the check
// that failed as an assertion, ready to paste into a filter's test/ folder.
import { isUtf8 } from "node:buffer";
import type { FuzzCheck } from "./runner.js";
import type { HeaderList } from "./story.js";
import type { TraceStep } from "./trace.js";

/** What the printed test needs to know besides the calls. */
export interface ReproduceOptions {
  check: FuzzCheck;
  message: string;
  seed: number;
  /** The module as the test loads it: a path (string) or a URL expression. */
  wasm: string;
  /** The module specifier of the host API. Default "proxy-wasm-as/host". */
  importFrom?: string;
  /** Host.load options that can be written as JSON (rootId, pluginConfig, vmConfig…). */
  load: Record<string, unknown>;
  /** Plugins started before the fuzzed one, in the same VM (addPlugin). */
  otherPlugins: Record<string, unknown>[];
  /** The options had functions (foreign functions, hooks) the test cannot carry. */
  droppedFunctions: string[];
  /** "http" or "tcp", for the stream variable names. */
  type: "http" | "tcp";
  /** Error lines the run allowed. */
  allowErrors: boolean | (string | RegExp)[];
  /** The run did not fail again on a fresh VM (it needed what earlier runs left behind). */
  needsHistory?: boolean;
  /** Memory growth: how often the story is played before and while memory is measured. */
  memoryRounds?: { warm: number; measured: number };
}

const literal = (v: unknown) => JSON.stringify(v);

/** An options object as a TypeScript literal: `{ rootId: "x", pluginConfig: {…} }`. */
function objectLiteral(o: Record<string, unknown>): string {
  const parts = Object.entries(o).map(
    ([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : literal(k)}: ${literal(v)}`,
  );
  return parts.length ? `{ ${parts.join(", ")} }` : "{}";
}

/** A body as the shortest faithful literal: text when it is UTF-8 without control bytes. */
function bytes(b: Uint8Array): string {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (buf.length === 0) return '""';
  if (buf.length > 16 && buf.every((x) => x === buf[0]))
    return `Buffer.alloc(${buf.length}, ${buf[0]})`;
  const text = buf.toString("utf8");
  if (isUtf8(buf) && !/[\u0000-\u0008\u000e-\u001f]/.test(text)) return literal(text);
  return `Buffer.from(${literal(buf.toString("base64"))}, "base64")`;
}

function headers(list: HeaderList): string {
  if (list.length === 0) return "[]";
  const pairs = list.map(([k, v]) => `[${literal(k)}, ${literal(v)}]`);
  const one = `[${pairs.join(", ")}]`;
  return one.length <= 80 ? one : `[\n  ${pairs.join(",\n  ")},\n]`;
}

function statement(step: TraceStep, name: (i: number) => string): string {
  switch (step.call) {
    case "newHttpContext":
    case "newTcpContext":
      return `const ${name(step.stream)} = plugin.${step.call}();`;
    case "requestHeaders":
    case "responseHeaders":
      return `${name(step.stream)}.${step.call}(${headers(step.headers)}, { endOfStream: ${step.eos} });`;
    case "requestBody":
    case "responseBody":
    case "downstreamData":
    case "upstreamData":
      return `${name(step.stream)}.${step.call}(${bytes(step.chunk)}, { endOfStream: ${step.eos} });`;
    case "requestTrailers":
    case "responseTrailers":
      return `${name(step.stream)}.${step.call}(${headers(step.trailers)});`;
    case "closeDownstream":
    case "closeUpstream":
      return `${name(step.stream)}.${step.call}(${literal(step.peer)});`;
    case "complete":
      return `${name(step.stream)}.complete();`;
    case "respondToCallout": {
      const r = step.reply;
      const reply =
        r === "reset"
          ? '"reset"'
          : `{ status: ${r.status}, headers: ${headers(r.headers)}, body: ${bytes(r.body)}, trailers: ${headers(r.trailers)} }`;
      return `host.respondToCallout(host.callouts[${step.index}], ${reply});`;
    }
    case "respondToGrpcCall":
    case "grpcStreamMessage":
      return `host.${step.call}(host.grpcCalls[${step.index}], ${bytes(step.message)});`;
    case "closeGrpcCall":
      return `host.closeGrpcCall(host.grpcCalls[${step.index}], ${step.status}, ${literal(step.message)});`;
    case "grpcStreamInitialMetadata":
    case "grpcStreamTrailingMetadata":
      return `host.${step.call}(host.grpcCalls[${step.index}], ${headers(step.headers)});`;
    case "tick":
      return step.ms === null ? "host.tick();" : `host.tick(${step.ms});`;
    case "enqueue":
      return `host.enqueue(${step.queueId}, ${bytes(step.value)});`;
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The allowed error lines as regular expression literals. */
function allowedExpression(allow: boolean | (string | RegExp)[]): string {
  if (allow === true) return "[/(?:)/]";
  if (allow === false) return "[]";
  const list = allow.map((p) => String(typeof p === "string" ? new RegExp(escapeRegExp(p)) : p));
  return `[${list.join(", ")}]`;
}

/** Assertions that what the filter passed on is valid for Envoy (the checks of checks.ts). */
function validity(o: ReproduceOptions, streams: number[], name: (i: number) => string): string[] {
  const about = (what: string) => o.message.startsWith(what);
  const lines = [
    "const NAME = /^[!#$%&'*+\\-.^_`|~0-9a-z]+$/;",
    "const PSEUDO = /^:(?:method|path|authority|scheme|status|protocol)$/;",
    "const valid = (where: string, headers: Iterable<[string, string]>, pseudo = false) => {",
    "  for (const [name, value] of headers) {",
    "    assert.ok(NAME.test(name) || (pseudo && PSEUDO.test(name)), `${where}: header name ${JSON.stringify(name)}`);",
    "    assert.doesNotMatch(value, /[\\0\\r\\n]/, `${where}: the value of ${name}`);",
    "  }",
    "};",
  ];
  if (about("http callout"))
    lines.push(
      "for (const c of host.callouts) {",
      "  valid(`callout ${c.token} headers`, [...c.headers], true);",
      "  valid(`callout ${c.token} trailers`, [...c.trailers]);",
      "}",
    );
  if (about("gRPC"))
    lines.push(
      "for (const g of host.grpcCalls) valid(`gRPC ${g.token} metadata`, [...g.initialMetadata]);",
    );
  if (o.type !== "http") return lines;
  for (const i of streams) {
    const s = name(i);
    if (about("request headers"))
      lines.push(
        `if (${s}.request.headersForwarded) {`,
        `  valid("${s} request headers", ${s}.request.headers, true);`,
        `  assert.match(${s}.request.headers.get(":method") ?? "", /./, "${s}: :method");`,
        `  assert.match(${s}.request.headers.get(":path") ?? "", /^[/*]/, "${s}: :path");`,
        "}",
      );
    if (about("response headers"))
      lines.push(
        `if (${s}.response.headersForwarded) {`,
        `  valid("${s} response headers", ${s}.response.headers, true);`,
        `  assert.match(${s}.response.headers.get(":status") ?? "", /^[2-5][0-9][0-9]$/, "${s}: :status");`,
        "}",
      );
    if (about("request trailers"))
      lines.push(`valid("${s} request trailers", ${s}.request.trailers);`);
    if (about("response trailers"))
      lines.push(`valid("${s} response trailers", ${s}.response.trailers);`);
    if (about("local reply"))
      lines.push(
        `if (${s}.sentLocalResponse) {`,
        `  const { status, headers } = ${s}.sentLocalResponse;`,
        `  assert.ok(status >= 200 && status <= 599, \`${s}: local reply status \${status}\`);`,
        `  valid("${s} local reply headers", headers);`,
        "}",
      );
  }
  return lines;
}

/** The assertion that fails the way the run failed. */
function assertion(o: ReproduceOptions, streams: number[], name: (i: number) => string): string[] {
  switch (o.check) {
    case "trap":
      return ["assert.equal(host.vm.trap?.message, undefined);"];
    case "error-log":
      return [
        `const allowed: RegExp[] = ${allowedExpression(o.allowErrors)};`,
        "const errors = host.logEntries",
        '  .filter((e) => e.source === "plugin" && e.level >= LogLevel.Error)',
        "  .map((e) => e.message)",
        "  .filter((m) => !allowed.some((a) => a.test(m)));",
        "assert.deepEqual(errors, []);",
      ];
    case "stuck-stream":
      return streams.map(
        (i) =>
          `assert.ok(${name(i)}.state !== "active" || (${name(i)}.request.ended && ${name(i)}.response.ended), ` +
          `"${name(i)} never ended");`,
      );
    case "invalid-output":
      return [`// ${o.message.split("\n")[0]}`, ...validity(o, streams, name)];
    case "memory-growth":
      return [];
    case "invariant":
      return [
        "// Your invariant failed here; check it on `host` and the streams:",
        `assert.fail(${literal(o.message)});`,
      ];
  }
}

const indent = (text: string, by: string) => by + text.replace(/\n/g, `\n${by}`);

/** The variable name of stream `i` in a printed test. */
function streamName(type: "http" | "tcp"): (i: number) => string {
  const prefix = type === "http" ? "stream" : "connection";
  return (i) => `${prefix}${i + 1}`;
}

/** The calls of a run as statements on the host API, one per step. */
export function statements(trace: TraceStep[], type: "http" | "tcp"): string[] {
  const name = streamName(type);
  return trace.map((s) => statement(s, name));
}

/** The node:test case (TypeScript, also valid after type stripping) that makes the same calls. */
export function reproduceTest(trace: TraceStep[], o: ReproduceOptions): string {
  const name = streamName(o.type);
  const created = trace.filter(
    (s) => s.call === "newHttpContext" || s.call === "newTcpContext",
  ) as { stream: number }[];
  const streams = created.map((s) => s.stream);
  const body = trace.map((s) => statement(s, name));
  const checks = assertion(o, streams, name);
  const usesLogLevel = o.check === "error-log";
  const lines: string[] = [];
  lines.push('import { test } from "node:test";');
  lines.push('import assert from "node:assert/strict";');
  lines.push(
    `import { Host${usesLogLevel ? ", LogLevel" : ""} } from ${literal(o.importFrom ?? "proxy-wasm-as/host")};`,
  );
  lines.push("");
  const first = o.message.split("\n")[0];
  const title = `fuzz (seed ${o.seed}): ${first.length > 100 ? `${first.slice(0, 100)}…` : first}`;
  lines.push(`test(${literal(title)}, async () => {`);
  if (o.needsHistory)
    lines.push(
      "  // This run failed after earlier runs on the same VM and passed alone on a fresh one:",
      "  // what they left behind (shared data, the heap, timers) is part of the failure.",
    );
  if (o.droppedFunctions.length)
    lines.push(
      `  // The fuzz run also had: ${o.droppedFunctions.join(", ")} (functions; add them here).`,
    );
  const [before, ...others] = o.otherPlugins;
  if (before) {
    lines.push(
      `  const host = await Host.load(${o.wasm}, ${objectLiteral({ ...o.load, ...before })});`,
    );
    for (const p of others) lines.push(`  host.addPlugin(${objectLiteral(p)});`);
    const own = Object.fromEntries(
      Object.entries(o.load).filter(([k]) =>
        ["rootId", "pluginConfig", "pluginName", "failOpen"].includes(k),
      ),
    );
    lines.push(`  const plugin = host.addPlugin(${objectLiteral(own)});`);
  } else {
    lines.push(`  const host = await Host.load(${o.wasm}, ${objectLiteral(o.load)});`);
    lines.push("  const plugin = host.plugin;");
  }
  if (o.check === "memory-growth" && o.memoryRounds) {
    lines.push("  const story = () => {");
    for (const b of body) lines.push(indent(b, "    "));
    lines.push("  };");
    lines.push("  const memory = () => host.vm.memory.size; // bytes of linear memory");
    lines.push(`  for (let i = 0; i < ${o.memoryRounds.warm}; i++) story();`);
    lines.push("  const warm = memory();");
    lines.push(`  for (let i = 0; i < ${o.memoryRounds.measured}; i++) story();`);
    lines.push(
      `  assert.equal(memory(), warm, "linear memory grew while the same story was played ${o.memoryRounds.measured} more times");`,
    );
  } else {
    for (const b of body) lines.push(indent(b, "  "));
    for (const c of checks) lines.push(indent(c, "  "));
  }
  lines.push("});");
  return lines.join("\n") + "\n";
}
