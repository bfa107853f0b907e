import {
  proxy_define_metric,
  proxy_get_metric,
  proxy_increment_metric,
  proxy_record_metric,
} from "../abi/imports";
import { LogLevel, MetricType, WasmResult } from "../abi/enums";
import { log, logLine, sdkLine } from "./log";
import { METRIC_REFUSED } from "../dispatch/messages";
import { RETURN_U32, RETURN_U64 } from "../dispatch/memory";
import { arg0Len, arg0Ptr, encode1, lineText } from "../dispatch/utf8";

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

/** Defines a metric and returns its id, or 0 when the host refuses. */
export function defineMetric(type: MetricType, name: string): u32 {
  encode1(name);
  if (proxy_define_metric(type, arg0Ptr, arg0Len, RETURN_U32) != WasmResult.Ok) {
    sdkLine(METRIC_REFUSED);
    lineText(name);
    logLine(LogLevel.Error);
    return 0;
  }
  return load<u32>(RETURN_U32);
}

/** A metric defined on the host; the id is 0 if the host refused it (then every call fails). */
export class Metric {
  readonly metric_id: u32;
  readonly name: string;

  constructor(type: MetricType, name: string, tags: string[] | null = null) {
    this.name = tags !== null ? metricNameWithTags(name, tags) : name;
    this.metric_id = defineMetric(type, this.name);
  }

  /** The current value (counters and gauges), or -1 when the host has none. */
  get(): i64 {
    if (proxy_get_metric(this.metric_id, RETURN_U64) != WasmResult.Ok) return -1;
    return load<i64>(RETURN_U64);
  }
}

/** A monotonically increasing count. */
export class Counter extends Metric {
  constructor(name: string, tags: string[] | null = null) {
    super(MetricType.Counter, name, tags);
  }

  /** Adds `offset` (must be above 0). */
  increment(offset: u64 = 1): WasmResult {
    return <WasmResult>proxy_increment_metric(this.metric_id, <i64>offset);
  }
}

/** A value that goes up and down. */
export class Gauge extends Metric {
  constructor(name: string, tags: string[] | null = null) {
    super(MetricType.Gauge, name, tags);
  }

  /** Adds `offset` (negative to subtract). */
  increment(offset: i64 = 1): WasmResult {
    return <WasmResult>proxy_increment_metric(this.metric_id, offset);
  }

  /** Sets the value. */
  record(value: u64): WasmResult {
    return <WasmResult>proxy_record_metric(this.metric_id, value);
  }
}

/** A distribution of recorded values. */
export class Histogram extends Metric {
  constructor(name: string, tags: string[] | null = null) {
    super(MetricType.Histogram, name, tags);
  }

  /** Records one sample. */
  record(value: u64): WasmResult {
    return <WasmResult>proxy_record_metric(this.metric_id, value);
  }
}
