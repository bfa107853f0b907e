import { test } from "node:test";
import assert from "node:assert/strict";
import { VirtualClock } from "../../src/host/clock.ts";

test("the virtual clock keeps exact nanoseconds at real-world dates", () => {
  const clock = new VirtualClock(Date.UTC(2026, 10, 26, 2, 0, 0, 123));
  const start = clock.nowNanos();
  assert.equal(start, 1_795_658_400_123_000_000n);
  clock.advance(5);
  assert.equal(clock.nowNanos() - start, 5_000_000n);
  clock.advance(0.25);
  assert.equal(clock.nowNanos() - start, 5_250_000n);
  assert.equal(clock.monotonicNanos(), 5_250_000n);
});

test("request.duration is exact when the clock holds fractional milliseconds", async () => {
  // The access_log example reads request.duration in onLog (compiled by npm run asbuild).
  const { Host } = await import("../../src/host/index.ts");
  const wasm = new URL("../../examples/access_log/build/optimized.wasm", import.meta.url);
  const host = await Host.load(wasm, { rootId: "access_log", time: 1_000.25, logLevel: "info" });
  const http = host.newHttpContext();
  http.requestHeaders({ ":method": "GET", ":path": "/" }, { endOfStream: true });
  host.tick(12.5);
  http.responseHeaders({ ":status": "200" }, { endOfStream: true });
  http.complete();
  const [line] = host.logs("info").map((l) => JSON.parse(l) as { duration_ms: number });
  assert.equal(line.duration_ms, 12);
  assert.deepEqual(host.logs("critical"), []);
});
