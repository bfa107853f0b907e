// The filters of the dev proxy: one emulator Host, one VM per distinct (code, vm_id,
// vm configuration) as Envoy shares them, one plugin (root context) per filter. Also keeps the
// emulator's virtual clock on real time (ticks fire on a timer) and replaces a VM that trapped.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { performance } from "node:perf_hooks";
import {
  Host,
  LOG_LEVEL_NAMES,
  formatLogEntry,
  loadSourceMap,
  type GrpcCall,
  type HttpCallout,
  type LogEntry,
  type LogLevelName,
  type PluginOptions,
  type RootContext,
  type Vm,
  type VmOptions,
} from "./host_api.js";
import type { DevProxyLogEvent, FilterOptions } from "./types.js";

/** One filter of the chain and the plugin that currently runs it. */
export interface ChainEntry {
  readonly options: FilterOptions;
  /** The plugin name shown in logs. */
  readonly name: string;
  plugin: RootContext;
  readonly slot: VmSlot;
}

/** The filters that share one VM. */
interface VmSlot {
  readonly bytes: Uint8Array;
  readonly vmOptions: VmOptions;
  readonly entries: ChainEntry[];
  readonly policy: "reload" | "closed";
  vm: Vm;
  reloading: Promise<void> | null;
  /** performance.now() before which no reload is tried again (after a reload failed). */
  retryAfter: number;
}

export interface ChainOptions {
  clusters: string[];
  logLevel: LogLevelName;
  /** Envoy's per-connection buffer limit for bodies a filter buffers (the emulator answers 413/500). */
  bufferLimit: number;
  baseDir: string;
  log: (e: DevProxyLogEvent) => void;
  /** The module made an http callout; `chain` is the chain of the plugin that made it. */
  onHttpCall: (c: HttpCallout, chain: () => FilterChain | null) => void;
  onGrpcCall: (c: GrpcCall, chain: () => FilterChain | null) => void;
}

function pluginOptions(f: FilterOptions): PluginOptions {
  return {
    rootId: f.rootId ?? "",
    pluginName: f.name,
    pluginConfig: f.config,
    failOpen: f.failOpen ?? false,
    allowOnHeadersStopIteration: f.allowOnHeadersStopIteration,
  };
}

function digest(v: string | Uint8Array | object | undefined): string {
  const h = createHash("sha256");
  if (v === undefined) h.update("\0undefined");
  else if (typeof v === "string" || v instanceof Uint8Array) h.update(v);
  else h.update(JSON.stringify(v));
  return h.digest("hex");
}

export class FilterChain {
  /** The HTTP filters, in chain order. */
  readonly entries: ChainEntry[] = [];
  /** Plugins that are not HTTP filters (bootstrap services). */
  readonly services: ChainEntry[] = [];
  private readonly slots: VmSlot[] = [];
  private lastSync = performance.now();
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private closed = false;

  private constructor(
    readonly host: Host,
    private readonly options: ChainOptions,
  ) {}

  /**
   * Loads the services (Envoy `bootstrap_extensions` `envoy.bootstrap.wasm`: plugins outside the
   * HTTP chain, started first) and the filters; throws LoadError / StartError naming the filter.
   */
  static async create(
    filters: FilterOptions[],
    options: ChainOptions,
    services: FilterOptions[] = [],
  ): Promise<FilterChain> {
    let host: Host | null = null;
    let chain: FilterChain | null = null;
    const slots = new Map<string, VmSlot>();
    const all = [
      ...services.map((f, i) => ({ f, i, service: true })),
      ...filters.map((f, i) => ({ f, i, service: false })),
    ];
    for (const { f, i, service } of all) {
      const path = typeof f.wasm === "string" ? resolve(options.baseDir, f.wasm) : undefined;
      const bytes = typeof f.wasm === "string" ? new Uint8Array(await readFile(path!)) : f.wasm;
      // The emulator only sees bytes, so the source map beside the file (for the file:line of a
      // trap) is looked up here, once; a reload reuses it.
      const sourceMap = (await loadSourceMap(bytes, path, undefined)) ?? false;
      const vmOptions: VmOptions = {
        vmId: f.vmId ?? "",
        vmConfig: f.vmConfig,
        env: f.env,
        sourceMap,
      };
      const key = [digest(bytes), f.vmId ?? "", digest(f.vmConfig)].join("/");
      const label = `${service ? "service" : "filter"} ${i + 1} (${f.name ?? f.rootId ?? ""}${typeof f.wasm === "string" ? `, ${f.wasm}` : ""})`;
      try {
        let plugin: RootContext;
        let slot = slots.get(key);
        if (!host) {
          host = await Host.load(bytes, {
            ...vmOptions,
            ...pluginOptions(f),
            logLevel: options.logLevel,
            bufferLimit: options.bufferLimit,
            // A forwarded chunk is released at once (Envoy keeps nothing it passed on).
            retainForwardedBody: false,
            clusters: options.clusters,
            onLog: (e) => options.log(FilterChain.logEvent(e)),
            // Every line is printed as it comes (onLog); the store keeps only a short tail for
            // start-up errors, so a long run (or a trap per request) does not pile up lines.
            maxLogEntries: 256,
            maxLogBytes: 64 * 1024,
            onHttpCall: (c) => options.onHttpCall(c, () => chain),
            onGrpcCall: (c) => options.onGrpcCall(c, () => chain),
          });
          chain = new FilterChain(host, options);
          plugin = host.plugin;
        } else if (slot) {
          plugin = host.addPlugin(pluginOptions(f), slot.vm);
        } else {
          plugin = await host.addVm(bytes, { ...vmOptions, ...pluginOptions(f) });
        }
        if (!slot) {
          slot = {
            bytes,
            vmOptions,
            entries: [],
            policy: f.onTrap ?? "reload",
            vm: plugin.vm,
            reloading: null,
            retryAfter: 0,
          };
          slots.set(key, slot);
          chain!.slots.push(slot);
        }
        const entry: ChainEntry = {
          options: f,
          name: plugin.pluginName || `#${i + 1}`,
          plugin,
          slot,
        };
        slot.entries.push(entry);
        (service ? chain!.services : chain!.entries).push(entry);
      } catch (err) {
        (err as Error).message = `${label}: ${(err as Error).message}`;
        throw err;
      }
    }
    if (!chain) throw new Error("no filters");
    chain.reschedule();
    return chain;
  }

  private static logEvent(e: LogEntry): DevProxyLogEvent {
    const level = LOG_LEVEL_NAMES[e.level] ?? String(e.level);
    return { kind: "filter", level, line: `[${level}] ${formatLogEntry(e)}` };
  }

  /** The plugins in chain order. */
  plugins(): RootContext[] {
    return this.entries.map((e) => e.plugin);
  }

  /** True when some VM trapped and should be replaced before the next request. */
  needsReload(): boolean {
    const now = performance.now();
    return this.slots.some((s) => s.vm.failed && s.policy === "reload" && now >= s.retryAfter);
  }

  /** Replaces every failed VM (policy "reload") by a fresh one, with the same plugins. */
  async reload(): Promise<void> {
    const now = performance.now();
    await Promise.all(
      this.slots
        .filter((s) => s.vm.failed && s.policy === "reload" && now >= s.retryAfter)
        .map((s) => (s.reloading ??= this.reloadSlot(s).finally(() => (s.reloading = null)))),
    );
  }

  private async reloadSlot(slot: VmSlot): Promise<void> {
    const names = slot.entries.map((e) => e.name).join(", ");
    const old = slot.vm;
    const trap = old.trap;
    const what = trap ? ` (${trap.reason}${trap.where ? ` at ${trap.where}` : ""})` : "";
    let root: RootContext | null = null;
    try {
      const [first, ...rest] = slot.entries;
      // The same bytes: the host instantiates the module it compiled the first time.
      root = await this.host.addVm(slot.bytes, {
        ...slot.vmOptions,
        ...pluginOptions(first.options),
      });
      const fresh = root.vm;
      const plugins = [
        root,
        ...rest.map((e) => this.host.addPlugin(pluginOptions(e.options), fresh)),
      ];
      // The old plugins are retired (a failed VM gets no on_done / on_delete calls), and the
      // failed VM dropped: nothing but the streams still open on it keeps it, and its instance
      // and memory go at once.
      for (const [i, e] of slot.entries.entries()) {
        try {
          e.plugin.shutdown();
        } catch {
          // a failed VM answers nothing
        }
        e.plugin = plugins[i];
      }
      slot.vm = fresh;
      this.host.removeVm(old);
      this.options.log({
        kind: "proxy",
        level: "warn",
        line: `[warn] proxy: the Wasm VM of ${names} trapped${what}; loaded a fresh VM for the next requests (like Envoy's failure_policy FAIL_RELOAD)`,
      });
    } catch (err) {
      // A fresh VM whose other plugins failed to start is shut down and dropped too.
      const fresh = root?.vm;
      if (fresh && fresh !== slot.vm) {
        for (const p of this.host.plugins.filter((p) => p.vm === fresh)) {
          try {
            this.host.run(() => p.shutdown());
          } catch {
            // dropped anyway
          }
        }
        this.host.removeVm(fresh);
      }
      slot.retryAfter = performance.now() + 1000;
      this.options.log({
        kind: "proxy",
        level: "error",
        line: `[error] proxy: reloading the Wasm VM of ${names} failed (requests get 503; retrying in 1 s): ${(err as Error).message}`,
      });
    } finally {
      this.reschedule();
    }
  }

  /** Moves the emulator's clock to real time, firing every tick that is due. */
  sync(): void {
    // Whole milliseconds: the emulator's durations (request.duration) expect integral clocks.
    const elapsed = Math.floor(performance.now() - this.lastSync);
    if (elapsed <= 0) return;
    this.lastSync += elapsed;
    this.host.tick(elapsed);
  }

  /** Called after every emulator interaction (for work the emulator only records). */
  afterOp: (() => void) | null = null;

  /** After an emulator interaction: arms the timer for the next tick any plugin asked for. */
  reschedule(): void {
    if (this.closed) return;
    this.afterOp?.();
    let next = Infinity;
    const mono = this.host.clock.monotonic();
    for (const p of this.host.plugins) {
      if (p.tickPeriod > 0 && p.state !== "deleted" && !p.vm.failed) {
        next = Math.min(next, p.nextTickAt - mono);
      }
    }
    if (next === Infinity) return;
    const at = performance.now() + Math.max(0, next);
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerAt = Infinity;
        try {
          this.sync();
        } catch (err) {
          this.options.log({
            kind: "proxy",
            level: "error",
            line: `[error] proxy: tick failed: ${(err as Error).message}`,
          });
        }
        this.reschedule();
      },
      Math.max(1, Math.ceil(next)),
    );
    this.timer.unref();
  }

  private inflight = 0;
  private retiring = false;

  /** A request started on this chain. */
  acquire(): void {
    this.inflight++;
  }

  /** A request on this chain is over; a retired chain closes after its last one. */
  release(): void {
    this.inflight--;
    if (this.retiring && this.inflight === 0) this.close();
  }

  /** Replaced by a newer chain (--watch): closes once its requests are over. */
  retire(): void {
    this.retiring = true;
    if (this.inflight === 0) this.close();
  }

  /** Stops the tick timer and shuts the plugins down (proxy_on_done). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      this.host.shutdown();
    } catch {
      // shutting down anyway
    }
  }
}
