// postpone_requests: smooth bursts by holding requests back and releasing them from a timer.
// Each tick grants `per_tick` requests; a request that finds no grant left waits, paused, in a
// FIFO queue until a later tick resumes it. When `max_queued` are already waiting it gets 503.
//
// Configuration (JSON): {"per_tick": 10, "period_ms": 100, "max_queued": 100} — positive integers.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  JSON,
  LogLevel,
  RootContext,
  getCurrentTimeNanoseconds,
  log,
  makeHeaders,
  parseJsonObject,
  registerRootContext,
  requestHeaders,
} from "proxy-wasm-as";

class PostponeRoot extends RootContext {
  perTick: i32 = 0;
  maxQueued: i32 = 0;
  /** Requests this period may still let through at once. */
  grants: i32 = 0;
  queue: Postponed[] = [];

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
    const config = parseJsonObject(this.getConfiguration(), "postpone_requests configuration");
    if (config === null) return false;
    const perTick = positive(config, "per_tick");
    const period = positive(config, "period_ms");
    const maxQueued = positive(config, "max_queued");
    if (perTick < 0 || period < 0 || maxQueued < 0) return false;
    this.perTick = perTick;
    this.maxQueued = maxQueued;
    this.grants = perTick;
    this.setTickPeriod(<u32>period);
    return true;
  }

  onTick(): void {
    this.grants = this.perTick;
    // Waiting requests go first, oldest first.
    while (this.grants > 0 && this.queue.length > 0) {
      this.grants--;
      this.queue.shift().resume();
    }
  }

  createContext(contextId: u32): Context {
    return new Postponed(contextId, this);
  }
}

class Postponed extends Context {
  waiting: bool = false;
  queuedAt: u64 = 0;

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = this.rootContext as PostponeRoot;
    if (root.grants > 0 && root.queue.length == 0) {
      root.grants--;
      return FilterHeadersStatus.Continue;
    }
    if (root.queue.length >= root.maxQueued) {
      this.sendLocalResponse(
        503,
        "postpone_queue_full",
        String.UTF8.encode("too busy, retry later\n"),
        makeHeaders(["retry-after", "1"]),
      );
      return FilterHeadersStatus.StopIteration;
    }
    this.waiting = true;
    this.queuedAt = getCurrentTimeNanoseconds().value;
    root.queue.push(this);
    log(LogLevel.Debug, "postponed; " + root.queue.length.toString() + " waiting");
    return FilterHeadersStatus.StopIteration;
  }

  /** Called from the root's tick: make this stream the target of the next hostcalls, then go. */
  resume(): void {
    this.setEffectiveContext();
    const waitedMs = (getCurrentTimeNanoseconds().value - this.queuedAt + 500_000) / 1_000_000;
    // The request has not left yet, so its headers can still change.
    requestHeaders.add("x-postponed-ms", waitedMs.toString());
    this.waiting = false;
    this.continueRequest();
  }

  onDelete(): void {
    // A client that gives up while waiting must not keep its place in the queue.
    if (!this.waiting) return;
    const queue = (this.rootContext as PostponeRoot).queue;
    const index = queue.indexOf(this);
    if (index >= 0) queue.splice(index, 1);
  }
}

/** The positive integer `key` of `config`, or -1 after logging the problem. */
function positive(config: JSON.Obj, key: string): i32 {
  const value = config.getInteger(key);
  if (value === null || value.valueOf() <= 0 || value.valueOf() > i32.MAX_VALUE) {
    log(LogLevel.Error, "postpone_requests: " + key + " must be a positive integer");
    return -1;
  }
  return <i32>value.valueOf();
}

registerRootContext((contextId: u32) => new PostponeRoot(contextId), "postpone_requests");
