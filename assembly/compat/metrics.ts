// Metrics in the shape of @solo-io/proxy-runtime and @gcoredev/proxy-wasm-sdk-as (`record` takes
// the metric id, `define_metric` answers a result object), on top of the SDK's metrics.
import { proxy_get_metric, proxy_increment_metric, proxy_record_metric } from "../abi/imports";
import { MetricType, WasmResult } from "../abi/enums";
import { defineMetric } from "../api/metrics";
import { RETURN_U64 } from "../dispatch/memory";

/** A metric defined on the host; `metric_id` is 0 when the host refused it (logged). */
export class Metric {
  metric_id: u32;

  constructor(typ: MetricType, name: string) {
    this.metric_id = defineMetric(typ, name).value;
  }
}

/** A gauge: a value that goes up and down. */
export class Gauge extends Metric {
  constructor(name: string) {
    super(MetricType.Gauge, name);
  }

  /** Adds `offset` (negative to subtract). */
  increment(offset: i64): WasmResult {
    return <WasmResult>proxy_increment_metric(this.metric_id, offset);
  }

  /** Sets metric `metric_id` to `value`. */
  record(metric_id: u32, value: u64): WasmResult {
    return <WasmResult>proxy_record_metric(metric_id, value);
  }
}

/** A histogram: a distribution of recorded values. */
export class Histogram extends Metric {
  constructor(name: string) {
    super(MetricType.Histogram, name);
  }

  /** Adds `offset` (Envoy refuses this for histograms). */
  increment(offset: i64): WasmResult {
    return <WasmResult>proxy_increment_metric(this.metric_id, offset);
  }

  /** Records `value` in metric `metric_id`. */
  record(metric_id: u32, value: u64): WasmResult {
    return <WasmResult>proxy_record_metric(metric_id, value);
  }
}

/** A counter: a count that only goes up. */
export class Counter extends Metric {
  constructor(name: string) {
    super(MetricType.Counter, name);
  }

  /** Adds `offset`. */
  increment(offset: u32): WasmResult {
    return <WasmResult>proxy_increment_metric(this.metric_id, <i64>offset);
  }
}

/** What `define_metric` answers: the result and the new metric's id. */
export class MetricResult {
  result: WasmResult = WasmResult.Ok;
  metric_id: u32 = 0;
}

/** Defines metric `name` of kind `typ`. */
export function define_metric(typ: MetricType, name: string): MetricResult {
  const id = defineMetric(typ, name);
  const out = new MetricResult();
  out.result = id.status;
  out.metric_id = id.value;
  return out;
}

/** Adds `offset` to metric `metric_id`. */
export function increment_metric(metric_id: u32, offset: i64): WasmResult {
  return <WasmResult>proxy_increment_metric(metric_id, offset);
}

/** Sets (gauge) or records (histogram) `value` in metric `metric_id`. */
export function record_metric(metric_id: u32, value: u64): WasmResult {
  return <WasmResult>proxy_record_metric(metric_id, value);
}

/** What `get_metric` answers: the result and the value. */
export class MetricData {
  result: WasmResult = WasmResult.Ok;
  data: u64 = 0;
}

/** The current value of metric `metric_id`. */
export function get_metric(metric_id: u32): MetricData {
  const out = new MetricData();
  out.result = <WasmResult>proxy_get_metric(metric_id, RETURN_U64);
  if (out.result == WasmResult.Ok) out.data = load<u64>(RETURN_U64);
  return out;
}
