import { test } from "node:test";
import assert from "node:assert/strict";
import { VirtualClock, toNanos } from "../../src/host/clock.ts";

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

test("durations of fractional milliseconds convert to exact nanoseconds", () => {
  // request.duration is built from toNanos(now - start); BigInt(12.5) would throw instead.
  assert.equal(toNanos(12.5), 12_500_000n);
  assert.equal(toNanos(0.000001), 1n);
  assert.equal(toNanos(1_795_658_400_123.5), 1_795_658_400_123_500_000n);
});
