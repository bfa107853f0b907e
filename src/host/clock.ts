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

  nowNanos(): bigint {
    return BigInt(Math.round(this.wallMs * 1e6));
  }

  monotonicNanos(): bigint {
    return BigInt(Math.round(this.monoMs * 1e6));
  }

  advance(ms: number): void {
    if (ms < 0) throw new Error("the clock cannot go backwards");
    this.wallMs += ms;
    this.monoMs += ms;
  }
}
