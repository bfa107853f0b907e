// metrics: the three kinds of Envoy stats a filter can define, with tags.
//   requests_total{method}              counter  — every request, by method
//   responses_total{method,status}      counter  — every response, by method and status class
//   active_requests                     gauge    — streams in flight
//   response_time_ms{status}            histogram — request headers to response headers
// Envoy has no tag parameter: tags travel in the name (`requests_total_method=GET`) and the
// `stats_config.stats_tags` regexes in envoy.yaml turn them back into tags.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  Counter,
  FilterHeadersStatus,
  Gauge,
  Histogram,
  RootContext,
  getCurrentTimeNanoseconds,
  registerRootContext,
  requestHeaders,
  responseHeaders,
} from "proxy-wasm-as";

class MetricsRoot extends RootContext {
  // Defining a metric is a hostcall: do it once per name and keep the object.
  private counters: Map<string, Counter> = new Map();
  private histograms: Map<string, Histogram> = new Map();
  activeRequests: Gauge | null = null;

  onConfigure(configurationSize: u32): bool {
    this.activeRequests = new Gauge("active_requests");
    return super.onConfigure(configurationSize);
  }

  /** The counter `name` with `tags` (alternating keys and values), defined on first use. */
  counter(name: string, tags: string[]): Counter {
    const key = name + "|" + tags.join("|");
    if (!this.counters.has(key)) this.counters.set(key, new Counter(name, tags));
    return this.counters.get(key);
  }

  histogram(name: string, tags: string[]): Histogram {
    const key = name + "|" + tags.join("|");
    if (!this.histograms.has(key)) this.histograms.set(key, new Histogram(name, tags));
    return this.histograms.get(key);
  }

  createContext(contextId: u32): Context {
    return new Metrics(contextId, this);
  }
}

class Metrics extends Context {
  method: string = "OTHER";
  startNanos: u64 = 0;
  active: bool = false;

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = this.rootContext as MetricsRoot;
    this.method = methodTag(requestHeaders.get(":method"));
    this.startNanos = getCurrentTimeNanoseconds().value;
    root.counter("requests_total", ["method", this.method]).increment(1);
    root.activeRequests!.increment(1);
    this.active = true;
    return FilterHeadersStatus.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = this.rootContext as MetricsRoot;
    const status = statusTag(responseHeaders.get(":status"));
    root.counter("responses_total", ["method", this.method, "status", status]).increment(1);
    if (this.startNanos > 0) {
      const elapsed = getCurrentTimeNanoseconds().value - this.startNanos;
      // Nanoseconds to whole milliseconds, rounded.
      root
        .histogram("response_time_ms", ["status", status])
        .record((elapsed + 500_000) / 1_000_000);
    }
    return FilterHeadersStatus.Continue;
  }

  onDelete(): void {
    // Every stream ends here, answered or reset, so the gauge cannot drift.
    if (this.active) (this.rootContext as MetricsRoot).activeRequests!.increment(-1);
  }
}

/** A tag value from a small fixed set: every distinct value is a new stat in Envoy. */
function methodTag(method: string | null): string {
  if (method === null) return "OTHER";
  if (
    method == "GET" ||
    method == "HEAD" ||
    method == "POST" ||
    method == "PUT" ||
    method == "PATCH" ||
    method == "DELETE" ||
    method == "OPTIONS"
  )
    return method;
  return "OTHER";
}

/** "2xx", "4xx", …; "none" for a missing or odd status. */
function statusTag(status: string | null): string {
  if (status === null || status.length != 3) return "none";
  const first = status.charCodeAt(0);
  if (first < 0x31 || first > 0x35) return "none";
  return String.fromCharCode(first) + "xx";
}

registerRootContext((contextId: u32) => new MetricsRoot(contextId), "metrics");
