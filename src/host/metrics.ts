// Stats defined through proxy_define_metric. Envoy (`context.cc` defineMetric / incrementMetric /
// recordMetric / getMetric) keeps the stat under `wasmcustom.<name>` in a process-wide store, and
// hands each VM its own ids: counters 4, 8, …; gauges 5, 9, …; histograms 6, 10, … (id & 3 = type).
import { MetricType, WasmResult } from "./enums.js";

export interface Metric {
  type: "counter" | "gauge" | "histogram";
  /** Counter or gauge value; for a histogram the last recorded value (0 if none). */
  value: number;
  /** Every value recorded into a histogram, in order. */
  values: number[];
}

const TYPE_NAMES = ["counter", "gauge", "histogram"] as const;
export const STAT_PREFIX = "wasmcustom.";

/** The process-wide stat store, shared by every VM of a host. */
export class MetricStore {
  private readonly stats = new Map<string, { type: MetricType; value: bigint; values: bigint[] }>();

  define(type: MetricType, name: string): string {
    const key = STAT_PREFIX + name;
    if (!this.stats.has(key)) this.stats.set(key, { type, value: 0n, values: [] });
    return key;
  }

  raw(key: string) {
    return this.stats.get(key);
  }

  /** By name, with or without the `wasmcustom.` prefix. */
  get(name: string): Metric | undefined {
    const s = this.stats.get(name) ?? this.stats.get(STAT_PREFIX + name);
    if (!s) return undefined;
    const values = s.values.map(Number);
    const value =
      s.type === MetricType.Histogram ? (values[values.length - 1] ?? 0) : Number(s.value);
    return { type: TYPE_NAMES[s.type], value, values };
  }

  /** Every stat, name without the prefix (as Envoy's /stats shows them). */
  all(): Record<string, Metric> {
    const out: Record<string, Metric> = {};
    for (const k of this.stats.keys()) out[k.slice(STAT_PREFIX.length)] = this.get(k)!;
    return out;
  }
}

/** One VM's metric ids. */
export class MetricIds {
  private next = [0, 0, 0];
  private readonly byId = new Map<number, string>();

  constructor(private readonly store: MetricStore) {}

  define(type: number, name: string): { result: WasmResult; id?: number } {
    if (type < 0 || type > MetricType.Histogram) return { result: WasmResult.BadArgument };
    const key = this.store.define(type, name);
    // Envoy: next_counter_metric_id_ starts at Counter (0) and steps by 4, skipping id 0.
    this.next[type] += 4;
    const id = this.next[type] + type;
    this.byId.set(id, key);
    return { result: WasmResult.Ok, id };
  }

  increment(id: number, delta: bigint): WasmResult {
    const s = this.stat(id);
    if (!s) return WasmResult.NotFound;
    if (s.type === MetricType.Counter) {
      if (delta <= 0n) return WasmResult.BadArgument;
      s.value += delta;
    } else if (s.type === MetricType.Gauge) s.value += delta;
    else return WasmResult.BadArgument;
    return WasmResult.Ok;
  }

  /** ⚠ Envoy: record on a counter adds, on a gauge sets, on a histogram records. */
  record(id: number, value: bigint): WasmResult {
    const s = this.stat(id);
    if (!s) return WasmResult.NotFound;
    const v = BigInt.asUintN(64, value);
    if (s.type === MetricType.Counter) s.value += v;
    else if (s.type === MetricType.Gauge) s.value = BigInt.asIntN(64, v);
    else s.values.push(v);
    return WasmResult.Ok;
  }

  get(id: number): { result: WasmResult; value?: bigint } {
    const s = this.stat(id);
    if (!s) return { result: WasmResult.NotFound };
    if (s.type === MetricType.Histogram) return { result: WasmResult.BadArgument };
    return { result: WasmResult.Ok, value: s.value };
  }

  private stat(id: number) {
    const key = this.byId.get(id);
    return key === undefined ? undefined : this.store.raw(key);
  }
}
