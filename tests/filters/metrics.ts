// Test filter for metrics: Counter / Gauge / Histogram defined by the root (one with tags),
// updated by streams as `x-case` says, plus definitions the host refuses. Results logged as
// key=value; a Result is logged as its value, or "not ok <status>".
export * from "proxy-wasm-as/proxy";
import {
  Context,
  Counter,
  FilterHeadersStatus,
  Gauge,
  Histogram,
  LogLevel,
  Metric,
  MetricType,
  Result,
  RootContext,
  log,
  registerRootContext,
  requestHeaders,
} from "proxy-wasm-as";

function report(key: string, value: string): void {
  log(LogLevel.Info, key + "=" + value);
}

function show(value: Result<i64>): string {
  return value.ok ? value.value.toString() : "not ok " + (<i32>value.status).toString();
}

class MetricsRoot extends RootContext {
  requests: Counter = new Counter("requests_total");
  byMethod: Counter = new Counter("requests", ["method", "get", "reporter", "wasm"]);
  inflight: Gauge = new Gauge("inflight");
  latency: Histogram = new Histogram("latency_ms");

  onConfigure(configuration_size: u32): bool {
    report("id.counter", this.requests.id.toString());
    report("id.tagged", this.byMethod.id.toString());
    report("id.gauge", this.inflight.id.toString());
    report("id.histogram", this.latency.id.toString());
    report("name.tagged", this.byMethod.name);
    return super.onConfigure(configuration_size);
  }

  createContext(contextId: u32): Context {
    return new MetricsFilter(contextId, this);
  }
}

class MetricsFilter extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const root = <MetricsRoot>this.rootContext;
    const testCase = requestHeaders.get("x-case");
    if (testCase == "count") {
      report("increment", (<i32>root.requests.increment()).toString());
      report("increment.5", (<i32>root.requests.increment(5)).toString());
      report("increment.0", (<i32>root.requests.increment(0)).toString());
      report("tagged.increment", (<i32>root.byMethod.increment()).toString());
      report("counter.get", show(root.requests.get()));
    } else if (testCase == "gauge") {
      report("record", (<i32>root.inflight.record(10)).toString());
      report("up", (<i32>root.inflight.increment()).toString());
      report("down", (<i32>root.inflight.increment(-4)).toString());
      report("gauge.get", show(root.inflight.get()));
    } else if (testCase == "histogram") {
      report("record.a", (<i32>root.latency.record(12)).toString());
      report("record.b", (<i32>root.latency.record(30)).toString());
      report("histogram.get", show(root.latency.get()));
    } else if (testCase == "define") {
      report("tags", new Counter("calls", ["code", "200", "odd"]).name);
      report("tags.none", new Counter("calls", []).name);
      const raw = new Metric(MetricType.Counter, "raw_counter");
      report("raw.id", raw.id.toString());
      report("raw.again", new Metric(MetricType.Counter, "raw_counter").id.toString());
      const bad = new Metric(<MetricType>7, "bad");
      report("bad.type", bad.id.toString() + " " + (<i32>bad.status).toString());
      const refused = new Metric(<MetricType>9, "refused");
      report("refused.id", refused.id.toString());
      report("refused.get", show(refused.get()));
      const c = new Counter("refused_counter");
      report("counter.new", show(c.get()));
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new MetricsRoot(contextId), "metrics");
