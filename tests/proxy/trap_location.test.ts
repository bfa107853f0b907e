// The dev proxy's lines for a trap name the filter's function and file:line (debug build).
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { startDevProxy } from "../../src/proxy/index.js";
import { logSink } from "./helpers.js";

const FILTER = `export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  RootContext,
  registerRootContext,
  requestHeaders,
} from "proxy-wasm-as";

class TrapRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new TrapFilter(contextId, this);
  }
}

class TrapFilter extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    if (requestHeaders.get(":path") == "/trap") unreachable(); // TRAP
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((id: u32) => new TrapRoot(id), "trap");
`;
const LINE = FILTER.split("\n").findIndex((l) => l.endsWith("// TRAP")) + 1;

let dir = "";
let wasm = "";

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "proxy-trap-location-"));
  writeFileSync(join(dir, "proxy_trap.ts"), FILTER);
  wasm = join(dir, "proxy_trap.wasm");
  const asc = (await import("assemblyscript/asc")).default;
  let errors = "";
  const { error } = await asc.main(
    [
      join(dir, "proxy_trap.ts"),
      "--config",
      "asconfig.json",
      "--target",
      "debug",
      "--outFile",
      wasm,
    ],
    {
      stderr: { write: (s: string) => ((errors += s), true) },
      stdout: { write: () => true },
    } as never,
  );
  if (error) throw new Error(`building the trap filter failed:\n${errors || String(error)}`);
});

after(() => rmSync(dir, { recursive: true, force: true }));

it("the trap's critical line and the reload line name TrapFilter#onRequestHeaders and proxy_trap.ts:LINE", async () => {
  const logs = logSink();
  const proxy = await startDevProxy({
    port: 0,
    onLog: logs.onLog,
    filters: [{ wasm, rootId: "trap" }],
  });
  try {
    const bad = await fetch(`${proxy.url}/trap`);
    assert.equal(bad.status, 503);
    await bad.arrayBuffer();
    const access = logs.events.find((e) => e.kind === "access")!;
    assert.deepEqual(access.access?.localReply, { filter: "trap", details: "wasm_fail_stream" });
    const where = new RegExp(
      `unreachable at TrapFilter#onRequestHeaders \\(\\S*proxy_trap\\.ts:${LINE}:\\d+\\)`,
    );
    const critical = logs.events.filter((e) => e.kind === "filter" && e.level === "critical");
    assert.equal(critical.length, 1);
    assert.match(critical[0].line.split("\n")[0], where);
    assert.doesNotMatch(critical[0].line, /hint:/);
    // The next request replaces the VM; the proxy's own line says where the old one trapped.
    const ok = await fetch(`${proxy.url}/headers`);
    assert.equal(ok.status, 200);
    await ok.arrayBuffer();
    const reload = logs.lines("proxy").find((l) => /loaded a fresh VM/.test(l));
    assert.ok(reload, logs.lines().join("\n"));
    assert.match(reload, where);
  } finally {
    await proxy.close();
  }
});
