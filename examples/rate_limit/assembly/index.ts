// rate_limit: a token bucket kept in shared data, so every worker thread (and every plugin on the
// same vm_id) draws from the same bucket. A request takes one token; when the bucket is empty the
// proxy answers 429 with Retry-After. Tokens flow back at a steady rate up to the capacity.
//
// Workers update the bucket concurrently, so each update is a compare-and-swap: read the value
// with its CAS stamp, compute the new one, write it back with that stamp, and start over when
// another worker wrote in between.
//
// Configuration (JSON):
//   {"capacity": 20, "refill_per_second": 10, "key_header": "x-api-key"}
// Without key_header all requests share one bucket; with it, each header value has its own.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  Counter,
  FilterHeadersStatus,
  JSON,
  LogLevel,
  RootContext,
  WasmResult,
  getCurrentTimeNanoseconds,
  getSharedData,
  log,
  makeHeaders,
  parseJsonObject,
  registerRootContext,
  requestHeaders,
  setSharedDataString,
} from "proxy-wasm-as";

// Tokens are counted in thousandths so a slow refill still adds up between requests.
const MILLI: i64 = 1000;
const MAX_RETRIES = 8;

class RateLimitRoot extends RootContext {
  capacity: i64 = 0; // in thousandths of a token
  refillPerSecond: i64 = 0;
  keyHeader: string = "";
  rejected: Counter | null = null;

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
    const config = parseJsonObject(this.getConfiguration(), "rate_limit configuration");
    if (config === null) return false;
    const capacity = positive(config, "capacity");
    const refill = positive(config, "refill_per_second");
    if (capacity <= 0 || refill <= 0) return false;
    this.capacity = capacity * MILLI;
    this.refillPerSecond = refill;
    if (config.has("key_header")) {
      const header = config.getString("key_header");
      if (header === null || header.valueOf() == "") {
        log(LogLevel.Error, 'rate_limit configuration: "key_header" must be a header name');
        return false;
      }
      this.keyHeader = header.valueOf().toLowerCase();
    }
    this.rejected = new Counter("rate_limit_rejected");
    return true;
  }

  createContext(contextId: u32): Context {
    return new RateLimit(contextId, this);
  }
}

/** The integer `key` of `config` in 1..1000000, or 0 (logged) when it is not one. */
function positive(config: JSON.Obj, key: string): i64 {
  const value = config.getInteger(key);
  if (value === null || value.valueOf() < 1 || value.valueOf() > 1000000) {
    log(
      LogLevel.Error,
      'rate_limit configuration: "' + key + '" must be an integer from 1 to 1000000',
    );
    return 0;
  }
  return value.valueOf();
}

/** The outcome of taking a token; when refused, the whole seconds until the next one. */
class Decision {
  constructor(
    public allowed: bool,
    public retryAfterSeconds: i64,
  ) {}
}

class RateLimit extends Context {
  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = this.rootContext as RateLimitRoot;
    let key = "rate_limit";
    if (root.keyHeader != "") {
      const value = requestHeaders.get(root.keyHeader);
      key += ":" + (value !== null ? value : "");
    }

    const decision = this.takeToken(root, key);
    if (decision.allowed) return FilterHeadersStatus.Continue;

    root.rejected!.increment();
    this.sendLocalResponse(
      429,
      "rate_limited",
      String.UTF8.encode("too many requests\n"),
      makeHeaders(["retry-after", decision.retryAfterSeconds.toString()]),
    );
    return FilterHeadersStatus.StopIteration;
  }

  takeToken(root: RateLimitRoot, key: string): Decision {
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      const now = <i64>getCurrentTimeNanoseconds().value;
      // A missing key is a full bucket; cas 0 then means "create it".
      let tokens = root.capacity;
      let cas: u32 = 0;
      const stored = getSharedData(key);
      if (stored !== null) {
        cas = stored.cas;
        // "<thousandths of tokens> <time of last update in ns>"; anything else is repaired as a
        // full bucket.
        const parts = stored.text.split(" ");
        if (parts.length == 2) {
          // Clamp the elapsed time so the multiplication cannot overflow.
          const elapsed = min(max(now - I64.parseInt(parts[1]), 0), <i64>3600_000_000_000);
          const refilled = (elapsed * root.refillPerSecond) / 1_000_000;
          tokens = min(root.capacity, I64.parseInt(parts[0]) + refilled);
        }
      }
      log(
        LogLevel.Debug,
        "rate_limit: " + key + " holds " + (tokens / MILLI).toString() + " tokens",
      );

      const allowed = tokens >= MILLI;
      if (allowed) tokens -= MILLI;
      // Written even when refused: the refill up to now is part of the state.
      const result = setSharedDataString(key, tokens.toString() + " " + now.toString(), cas);
      if (result == WasmResult.Ok) {
        if (allowed) return new Decision(true, 0);
        // Whole seconds until one token has flowed back (at least 1).
        const perSecond = root.refillPerSecond * MILLI;
        return new Decision(false, max((MILLI - tokens + perSecond - 1) / perSecond, 1));
      }
      if (result != WasmResult.CasMismatch) break;
      // Another worker changed the bucket since we read it: read it again.
      log(LogLevel.Debug, "rate_limit: " + key + " changed concurrently, retrying");
    }
    // Shared data keeps failing: let the request through rather than block all traffic.
    log(LogLevel.Warn, "rate_limit: could not update " + key + "; allowing the request");
    return new Decision(true, 0);
  }
}

registerRootContext((contextId: u32) => new RateLimitRoot(contextId), "rate_limit");
