// Test filter for metrics: Counter / Gauge / Histogram defined by the root (one with tags),
// updated by streams as `x-case` says, plus defineMetric errors. Results logged as key=value.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  Counter,
  FilterHeadersStatus,
  Gauge,
  Histogram,
  Metric,
  MetricType,
  RootContext,
  defineMetric,
  logInfo,
  metricNameWithTags,
  registerRootContext,
  stream_context,
} from "proxy-wasm-as";

function report(key: string, value: string): void {
  logInfo(key + "=" + value);
}

class MetricsRoot extends RootContext {
  requests: Counter = new Counter("requests_total");
  byMethod: Counter = new Counter("requests", ["method", "get", "reporter", "wasm"]);
  inflight: Gauge = new Gauge("inflight");
  latency: Histogram = new Histogram("latency_ms");

  onConfigure(configuration_size: u32): bool {
    report("id.counter", this.requests.metric_id.toString());
    report("id.tagged", this.byMethod.metric_id.toString());
    report("id.gauge", this.inflight.metric_id.toString());
    report("id.histogram", this.latency.metric_id.toString());
    report("name.tagged", this.byMethod.name);
    return super.onConfigure(configuration_size);
  }

  createContext(context_id: u32): Context {
    return new MetricsFilter(context_id, this);
  }
}

class MetricsFilter extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const root = <MetricsRoot>this.root_context;
    const testCase = stream_context.headers.request.get("x-case");
    if (testCase == "count") {
      report("increment", (<i32>root.requests.increment()).toString());
      report("increment.5", (<i32>root.requests.increment(5)).toString());
      report("increment.0", (<i32>root.requests.increment(0)).toString());
      report("tagged.increment", (<i32>root.byMethod.increment()).toString());
      report("counter.get", root.requests.get().toString());
    } else if (testCase == "gauge") {
      report("record", (<i32>root.inflight.record(10)).toString());
      report("up", (<i32>root.inflight.increment()).toString());
      report("down", (<i32>root.inflight.increment(-4)).toString());
      report("gauge.get", root.inflight.get().toString());
    } else if (testCase == "histogram") {
      report("record.a", (<i32>root.latency.record(12)).toString());
      report("record.b", (<i32>root.latency.record(30)).toString());
      report("histogram.get", root.latency.get().toString());
    } else if (testCase == "define") {
      report("tags", metricNameWithTags("calls", ["code", "200", "odd"]));
      report("tags.none", metricNameWithTags("calls", []));
      const raw = defineMetric(MetricType.Counter, "raw_counter");
      report("raw.id", raw.toString());
      report("raw.again", defineMetric(MetricType.Counter, "raw_counter").toString());
      report("bad.type", defineMetric(<MetricType>7, "bad").toString());
      const refused = new Metric(<MetricType>9, "refused");
      report("refused.id", refused.metric_id.toString());
      report("refused.get", refused.get().toString());
      const c = new Counter("refused_counter");
      report("counter.new", c.get().toString());
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((context_id: u32) => new MetricsRoot(context_id), "metrics");
