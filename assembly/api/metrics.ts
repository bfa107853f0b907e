import {
  proxy_define_metric,
  proxy_get_metric,
  proxy_increment_metric,
  proxy_record_metric,
} from "../abi/imports";
import { LogLevel, MetricType, WasmResult } from "../abi/enums";
import { logLine, sdkLine } from "./log";
import { METRIC_REFUSED } from "../dispatch/messages";
import { RETURN_U32, RETURN_U64 } from "../dispatch/memory";
import { arg0Len, arg0Ptr, encode1, lineText } from "../dispatch/utf8";
import { Result } from "./result";

/**
 * Builds a metric name that carries tags: `name` followed by `_key=value` for each tag, the
 * form Envoy's `stats_config.stats_tags` regexes (for example `(_method=([a-zA-Z]+))`) turn
 * back into tags. `tags` alternates keys and values.
 */
export function metricNameWithTags(name: string, tags: string[]): string {
  let out = name;
  for (let i = 0; i + 1 < tags.length; i += 2) {
    out += "_" + tags[i] + "=" + tags[i + 1];
  }
  return out;
}

/**
 * Defines a metric and returns its id, or (not `ok`) why the host refused (also logged). The
 * metric classes call it; filters construct a `Counter`, `Gauge` or `Histogram`.
 */
export function defineMetric(type: MetricType, name: string): Result<u32> {
  encode1(name);
  const result = <WasmResult>proxy_define_metric(type, arg0Ptr, arg0Len, RETURN_U32);
  if (result != WasmResult.Ok) {
    sdkLine(METRIC_REFUSED);
    lineText(name);
    logLine(LogLevel.Error);
    return new Result<u32>(result, 0);
  }
  return new Result<u32>(result, load<u32>(RETURN_U32));
}

/**
 * A metric defined on the host. When the host refuses the definition (logged), `status` says
 * why, and every call on the metric returns an error instead of trapping.
 */
export class Metric {
  /** The host's id of this metric (0 when the host refused it). */
  readonly id: u32;
  /** The full name, tags included. */
  readonly name: string;
  /** Ok when the host defined the metric, or why it refused. */
  readonly status: WasmResult;

  constructor(type: MetricType, name: string, tags: string[] | null = null) {
    this.name = tags !== null ? metricNameWithTags(name, tags) : name;
    const id = defineMetric(type, this.name);
    this.id = id.value;
    this.status = id.status;
  }

  /** The current value (counters and gauges); not `ok` when the host has none. */
  get(): Result<i64> {
    const result = <WasmResult>proxy_get_metric(this.id, RETURN_U64);
    return new Result<i64>(result, result == WasmResult.Ok ? load<i64>(RETURN_U64) : 0);
  }
}

/** A monotonically increasing count. */
export class Counter extends Metric {
  constructor(name: string, tags: string[] | null = null) {
    super(MetricType.Counter, name, tags);
  }

  /** Adds `offset` (must be above 0). Returns Ok or why not. */
  increment(offset: u64 = 1): WasmResult {
    return <WasmResult>proxy_increment_metric(this.id, <i64>offset);
  }
}

/** A value that goes up and down. */
export class Gauge extends Metric {
  constructor(name: string, tags: string[] | null = null) {
    super(MetricType.Gauge, name, tags);
  }

  /** Adds `offset` (negative to subtract). Returns Ok or why not. */
  increment(offset: i64 = 1): WasmResult {
    return <WasmResult>proxy_increment_metric(this.id, offset);
  }

  /** Sets the value. Returns Ok or why not. */
  record(value: u64): WasmResult {
    return <WasmResult>proxy_record_metric(this.id, value);
  }
}

/** A distribution of recorded values. */
export class Histogram extends Metric {
  constructor(name: string, tags: string[] | null = null) {
    super(MetricType.Histogram, name, tags);
  }

  /** Records one sample. Returns Ok or why not. */
  record(value: u64): WasmResult {
    return <WasmResult>proxy_record_metric(this.id, value);
  }
}
