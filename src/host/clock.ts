// The virtual clock: time only moves when the test (or the dev proxy) calls `advance`.

export class VirtualClock {
  /** Wall clock, milliseconds since the epoch. */
  private wallMs: number;
  /** Monotonic clock, milliseconds since the host started. */
  private monoMs = 0;

  constructor(startMs: number = Date.now()) {
    this.wallMs = startMs;
  }

  /** Milliseconds since the epoch. */
  now(): number {
    return this.wallMs;
  }

  /** Milliseconds since the host started. */
  monotonic(): number {
    return this.monoMs;
  }

  /** Nanoseconds since the epoch (exact for whole and fractional milliseconds). */
  nowNanos(): bigint {
    return toNanos(this.wallMs);
  }

  /** Nanoseconds since the host started. */
  monotonicNanos(): bigint {
    return toNanos(this.monoMs);
  }

  advance(ms: number): void {
    if (ms < 0) throw new Error("the clock cannot go backwards");
    this.wallMs += ms;
    this.monoMs += ms;
  }
}

// Milliseconds since the epoch times 1e6 is above 2^53, where doubles lose whole nanoseconds, so
// the whole milliseconds are scaled as a bigint and only the fraction as a double.
export function toNanos(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}
