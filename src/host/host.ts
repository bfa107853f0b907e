// The emulated Envoy process: VMs, plugins, and everything they share (shared data, queues,
// stats, the virtual clock, logs, callouts). The public face of the emulator.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Callouts, type CalloutResponse, type HttpCallout } from "./callouts.js";
import type { Context } from "./context.js";
import { LogLevel, type WasmResult } from "./enums.js";
import { toLogLevel, type LogLevelName } from "./log_level.js";
import { LoadError, StartError } from "./errors.js";
import { GrpcCalls, type GrpcCall } from "./grpc.js";
import type { HeadersInit } from "./header_map.js";
import type { HttpContext, HttpStreamListener } from "./http_context.js";
import { formatLogEntry, LogStore, type LogEntry } from "./logs.js";
import { MetricStore, type Metric } from "./metrics.js";
import { PropertyStore, type PropertyValue } from "./properties.js";
import { RootContext, type PluginOptions } from "./root_context.js";
import { SharedData, type SharedEntry } from "./shared_data.js";
import { SharedQueues } from "./shared_queue.js";
import type { TcpContext, TcpListener } from "./tcp_context.js";
import { VirtualClock } from "./clock.js";
import { loadSourceMap } from "./trap_location.js";
import { Vm, type VmOptions } from "./vm.js";

/** A function the module can call with proxy_call_foreign_function. */
export type ForeignFunction = (
  args: Buffer,
  info: { vm: Vm; context: Context | null },
) => Uint8Array | string | void | WasmResult;

/** Options of the emulated proxy itself. */
export interface HostOptions {
  /** Envoy's log level for `wasm` (proxy_get_log_level; lower lines are dropped). Default "trace". */
  logLevel?: LogLevelName | "off" | number;
  /** Properties every context sees (path "a.b.c" or segments → value). */
  properties?: Record<string, PropertyValue>;
  /** Known upstream clusters for http / gRPC callouts. Default: any name is accepted. */
  clusters?: string[];
  /** Start of the virtual wall clock. Default: now. */
  time?: number | Date;
  /** Record every call into a module in `host.callTrace` (for debugging lifecycles). */
  traceCalls?: boolean;
  /** Keep at most this many log entries (oldest dropped). Default 100000. */
  maxLogEntries?: number;
  /**
   * Keep at most this many bytes of log entries (oldest dropped; an entry counts its strings'
   * lengths plus 64). Default 16 MiB.
   */
  maxLogBytes?: number;
  /** Called for every log line (e.g. to print it). */
  onLog?: (entry: LogEntry) => void;
  /** Print log lines to stderr. */
  echoLogs?: boolean;
  /**
   * Run a local reply through this filter's response callbacks before it goes out, as Envoy's
   * FilterManager does for a reply sent before the response started. Default true.
   */
  localReplyThroughFilter?: boolean;
  /**
   * Envoy's per-connection buffer limit: a body buffered past it gets Envoy's own local reply
   * (413 for requests, 500 for responses). Default 1 MiB.
   */
  bufferLimit?: number;
  /**
   * Keep every forwarded body chunk, for `http.request.body` / `bodyChunks` / `text()`. Default
   * true (tests read them). The dev proxy sets false: Envoy keeps nothing it has passed on, and a
   * streamed body must not stay in memory until the stream ends.
   */
  retainForwardedBody?: boolean;
  /** Functions for proxy_call_foreign_function, available from the start. */
  foreignFunctions?: Record<string, ForeignFunction>;
  /** Called when the module makes an http callout (for the dev proxy). */
  onHttpCall?: (callout: HttpCallout) => void;
  /** Called when the module opens a gRPC call or stream. */
  onGrpcCall?: (call: GrpcCall) => void;
}

/** Everything `Host.load` takes: the host, the first VM and its first plugin. */
export interface LoadOptions extends HostOptions, VmOptions, PluginOptions {}

/** A wasm module: a file path, a file URL, or the bytes. */
export type WasmSource = string | URL | Uint8Array | ArrayBuffer;

async function wasmBytes(src: WasmSource): Promise<Uint8Array> {
  if (src instanceof Uint8Array) return src;
  if (src instanceof ArrayBuffer) return new Uint8Array(src);
  const path = src instanceof URL ? fileURLToPath(src) : src;
  try {
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw new LoadError(`cannot read ${path}: ${(e as Error).message}`);
  }
}

export class Host {
  readonly clock: VirtualClock;
  /** Log level reported to modules (LogLevel number). */
  logLevel: number;
  /** Properties every context sees; change with `setProperty`. */
  readonly properties = new PropertyStore();
  /** @internal */ readonly metricStore = new MetricStore();
  /** @internal */ readonly sharedStore = new SharedData();
  /** @internal */ readonly queues = new SharedQueues();
  /** @internal */ readonly logStore: LogStore;
  /** @internal */ readonly calloutStore: Callouts;
  /** @internal */ readonly grpcStore: GrpcCalls;
  /** @internal */ readonly foreignFunctions = new Map<string, ForeignFunction>();
  /** Every VM, in load order. */
  readonly vms: Vm[] = [];
  /** Every plugin (root context), in start order. */
  readonly plugins: RootContext[] = [];
  /** With `traceCalls`: every call into a module, as `name(args)`. */
  readonly callTrace: string[] = [];
  /** @internal */ readonly traceCalls: boolean;
  readonly localReplyThroughFilter: boolean;
  /** Bytes a stopped body may hold before Envoy answers 413 / 500. */
  readonly bufferLimit: number;
  /** Forwarded body chunks are kept on the stream (see HostOptions.retainForwardedBody). */
  readonly retainForwardedBody: boolean;
  /** @internal */ readonly onHttpCall?: (c: HttpCallout) => void;
  /** @internal */ readonly onGrpcCall?: (c: GrpcCall) => void;
  /** @internal host→VM calls in progress, all VMs. */ callDepth = 0;
  private readonly clusters: Set<string> | null;
  private opDepth = 0;
  private readonly posted: (() => void)[] = [];
  private logMark = 0;
  /** Compiled modules by their bytes: a VM of the same bytes is instantiated without compiling. */
  private readonly modules = new WeakMap<Uint8Array, WebAssembly.Module>();
  private compiles = 0;
  /** VMs removed (`removeVm`) whose after-call actions have not all run yet. */
  private readonly retired: Vm[] = [];

  private constructor(options: HostOptions) {
    this.clock = new VirtualClock(options.time === undefined ? Date.now() : Number(options.time));
    this.logLevel = toLogLevel(options.logLevel ?? "trace");
    this.logStore = new LogStore(
      options.onLog,
      options.echoLogs ?? false,
      options.maxLogEntries ?? 100000,
      options.maxLogBytes ?? 16 * 1024 * 1024,
    );
    this.traceCalls = options.traceCalls ?? false;
    this.clusters = options.clusters ? new Set(options.clusters) : null;
    this.localReplyThroughFilter = options.localReplyThroughFilter ?? true;
    this.bufferLimit = options.bufferLimit ?? 1024 * 1024;
    this.retainForwardedBody = options.retainForwardedBody ?? true;
    this.onHttpCall = options.onHttpCall;
    this.onGrpcCall = options.onGrpcCall;
    this.calloutStore = new Callouts(this);
    this.grpcStore = new GrpcCalls(this);
    for (const [k, v] of Object.entries(options.properties ?? {})) this.properties.set(k, v);
    for (const [k, f] of Object.entries(options.foreignFunctions ?? {}))
      this.foreignFunctions.set(k, f);
  }

  /**
   * Loads a module into a new host and starts one plugin, as Envoy would: link, `_initialize`,
   * proxy_on_context_create, proxy_on_vm_start, proxy_on_configure.
   * @throws LoadError when the module cannot be loaded, StartError when it fails to start.
   */
  static async load(wasm: WasmSource, options: LoadOptions = {}): Promise<Host> {
    const host = new Host(options);
    await host.addVm(wasm, options);
    return host;
  }

  /**
   * Loads another VM into this host (same vmId = same shared data and queues) and starts a
   * plugin in it.
   */
  async addVm(wasm: WasmSource, options: VmOptions & PluginOptions = {}): Promise<RootContext> {
    const bytes = await wasmBytes(wasm);
    const path =
      typeof wasm === "string" ? wasm : wasm instanceof URL ? fileURLToPath(wasm) : undefined;
    const sourceMap = await loadSourceMap(bytes, path, options.sourceMap);
    this.logMark = this.logStore.total;
    const compiled = this.modules.get(bytes);
    if (!compiled) this.compiles++;
    const vm = await Vm.create(this, bytes, options, sourceMap, compiled);
    this.modules.set(bytes, vm.module);
    this.vms.push(vm);
    try {
      return this.startPlugin(vm, options);
    } catch (e) {
      this.vms.splice(this.vms.indexOf(vm), 1);
      throw e;
    }
  }

  /** How many times a module was compiled (`addVm` with the same bytes array reuses it). */
  get compiledModules(): number {
    return this.compiles;
  }

  /**
   * Drops a VM and its plugins (shut them down first): they leave `vms` and `plugins`, so
   * nothing keeps them but streams still open on them. A failed VM also lets its instance and
   * memory go at once; those streams still get the failed VM's answer (503, or fail-open).
   */
  removeVm(vm: Vm): void {
    const i = this.vms.indexOf(vm);
    if (i < 0) return;
    this.vms.splice(i, 1);
    for (let j = this.plugins.length - 1; j >= 0; j--)
      if (this.plugins[j].vm === vm) this.plugins.splice(j, 1);
    vm.release();
    if (vm.afterCallActions.length > 0) this.retired.push(vm);
  }

  /** @internal a removed VM got after-call actions (a stream's fail-closed reply): run them too. */
  keepActions(vm: Vm): void {
    if (!this.vms.includes(vm) && !this.retired.includes(vm)) this.retired.push(vm);
  }

  /** Starts another plugin (root id) in an existing VM, by default the first one. */
  addPlugin(options: PluginOptions, vm: Vm = this.vms[0]): RootContext {
    this.logMark = this.logStore.total;
    const existing = this.plugins.find(
      (p) => p.vm === vm && p.rootId === (options.rootId ?? "") && p.state !== "deleted",
    );
    if (existing) return existing; // cpp-host WasmBase::start reuses a root id's context
    return this.startPlugin(vm, options);
  }

  private startPlugin(vm: Vm, options: PluginOptions): RootContext {
    if (vm.failed)
      throw new StartError(`Wasm VM is failed: ${vm.failure!.split("\n")[0]}`, this.logLines());
    const root = new RootContext(vm, options);
    this.run(() => root.start());
    this.plugins.push(root);
    return root;
  }

  /** The first plugin. */
  get plugin(): RootContext {
    return this.plugins[0];
  }

  /** The first VM. */
  get vm(): Vm {
    return this.vms[0];
  }

  /** A new HTTP stream through the first plugin. */
  newHttpContext(listener?: HttpStreamListener): HttpContext {
    return this.plugin.newHttpContext(listener);
  }

  /** A new TCP connection through the first plugin. */
  newTcpContext(listener?: TcpListener): TcpContext {
    return this.plugin.newTcpContext(listener);
  }

  // ---- time ---------------------------------------------------------------------------------

  /**
   * Advances the virtual clock by `ms`, firing every root's timer each time it is due (timers
   * re-arm after each tick). Without `ms`, advances to the next due timer.
   * @returns the number of proxy_on_tick calls made.
   */
  tick(ms?: number): number {
    const start = this.clock.monotonic();
    const next = () => {
      let best: RootContext | undefined;
      for (const p of this.plugins)
        if (p.tickPeriod > 0 && p.state !== "deleted" && (!best || p.nextTickAt < best.nextTickAt))
          best = p;
      return best;
    };
    const end = ms !== undefined ? start + ms : (next()?.nextTickAt ?? start);
    let fired = 0;
    this.run(() => {
      for (let p = next(); p && p.nextTickAt <= end; p = next()) {
        this.clock.advance(Math.max(0, p.nextTickAt - this.clock.monotonic()));
        p.nextTickAt += p.tickPeriod;
        p.vm.call(p, "proxy_on_tick", p.id);
        fired++;
        this.calloutStore.expire(this.clock.monotonic());
      }
      this.clock.advance(end - this.clock.monotonic());
      this.calloutStore.expire(this.clock.monotonic());
    });
    return fired;
  }

  // ---- callouts -----------------------------------------------------------------------------

  /** Pending http callouts (proxy_http_call), oldest first. */
  get callouts(): HttpCallout[] {
    return [...this.calloutStore.pending];
  }

  /**
   * Answers a pending http callout: proxy_on_http_call_response(root_id, token, n_headers,
   * body_size, n_trailers). "reset" is the failure: (token, 0, 0, 0) and proxy_get_status →
   * (BrokenConnection, "reset").
   */
  respondToCallout(token: number | HttpCallout, response: CalloutResponse | "reset"): void {
    this.run(() => this.calloutStore.respond(token, response));
  }

  /** Open gRPC calls and streams. */
  get grpcCalls(): GrpcCall[] {
    return [...this.grpcStore.pending];
  }

  /** Answers a unary gRPC call with a message (proxy_on_grpc_receive). */
  respondToGrpcCall(token: number | GrpcCall, message: string | Uint8Array): void {
    this.run(() => this.grpcStore.respond(token, message));
  }

  /** Ends a gRPC call or stream with a status (proxy_on_grpc_close; get_status gives `message`). */
  closeGrpcCall(token: number | GrpcCall, status: number, message = ""): void {
    this.run(() => this.grpcStore.close(token, status, message));
  }

  /** A gRPC stream receives initial metadata. */
  grpcStreamInitialMetadata(token: number | GrpcCall, metadata: HeadersInit): void {
    this.run(() => this.grpcStore.initialMetadata(token, metadata));
  }

  /** A gRPC stream receives a message. */
  grpcStreamMessage(token: number | GrpcCall, message: string | Uint8Array): void {
    this.run(() => this.grpcStore.message(token, message));
  }

  /** A gRPC stream receives trailing metadata. */
  grpcStreamTrailingMetadata(token: number | GrpcCall, metadata: HeadersInit): void {
    this.run(() => this.grpcStore.trailingMetadata(token, metadata));
  }

  // ---- inspection and setup ----------------------------------------------------------------

  /** A stat by name (with or without `wasmcustom.`), or undefined. */
  metric(name: string): Metric | undefined {
    return this.metricStore.get(name);
  }

  /** Every stat by name. */
  metrics(): Record<string, Metric> {
    return this.metricStore.all();
  }

  /** Log messages at `level` (a name or number), or all of them. */
  logs(level?: LogLevelName | number): string[] {
    return this.logStore.messages(level);
  }

  /** Every log entry with its level and origin. */
  get logEntries(): LogEntry[] {
    return this.logStore.entries; // a fresh array each time
  }

  /** Shared data of a vm_id (default: the first VM's). */
  get sharedData() {
    const store = this.sharedStore;
    const vmId = () => this.vms[0]?.vmId ?? "";
    return {
      get: (key: string, id: string = vmId()): SharedEntry | undefined => store.get(id, key),
      set: (key: string, value: string | Uint8Array, id: string = vmId()): WasmResult =>
        store.set(id, key, typeof value === "string" ? Buffer.from(value) : value, 0),
      keys: (id: string = vmId()) => store.keys(id),
    };
  }

  /** A shared queue by name (and vm_id, default the first VM's): its id and queued items. */
  queue(
    name: string,
    vmId: string = this.vms[0]?.vmId ?? "",
  ): { id: number; items: Buffer[] } | undefined {
    const q = this.queues.find(vmId, name);
    return q && { id: q.id, items: [...q.items] };
  }

  /** Enqueues an item from outside (like another VM would); on_queue_ready follows. */
  enqueue(queueId: number, value: string | Uint8Array): WasmResult {
    return this.run(() =>
      this.queues.enqueue(queueId, typeof value === "string" ? Buffer.from(value) : value),
    );
  }

  /** Makes `name` callable through proxy_call_foreign_function. */
  registerForeignFunction(name: string, fn: ForeignFunction): void {
    this.foreignFunctions.set(name, fn);
  }

  /** Sets a property every context sees (path "a.b" or segments). */
  setProperty(path: string | string[], value: PropertyValue): void {
    this.properties.set(path, value);
  }

  /** Stops every plugin: proxy_on_done, then proxy_on_delete unless it answered false. */
  shutdown(): void {
    this.run(() => {
      for (const p of this.plugins) p.shutdown();
    });
  }

  /** Delivers posted events (queue notifications) now; they are also delivered after every call. */
  pump(): void {
    this.run(() => undefined);
  }

  // ---- internals ----------------------------------------------------------------------------

  /** @internal */
  knowsCluster(name: string): boolean {
    return this.clusters === null ? name !== "" : this.clusters.has(name);
  }

  /**
   * @internal Runs a host operation. When the outermost one ends, the VMs' after-call actions
   * (deferred continue / local reply / on_delete) and posted events run, until none is left.
   */
  run<T>(f: () => T): T {
    this.opDepth++;
    try {
      return f();
    } finally {
      this.opDepth--;
      if (this.opDepth === 0) this.flush();
    }
  }

  private flush(): void {
    this.opDepth++;
    try {
      for (;;) {
        const vm =
          this.vms.find((v) => v.afterCallActions.length > 0) ??
          this.retired.find((v) => v.afterCallActions.length > 0);
        if (vm) {
          vm.afterCallActions.shift()!();
          continue;
        }
        const ev = this.posted.shift();
        if (!ev) break;
        ev();
      }
      this.retired.length = 0; // every action of the removed VMs ran
    } finally {
      this.opDepth--;
    }
  }

  /** @internal queues an asynchronous event (never delivered during a VM call). */
  post(ev: () => void): void {
    this.posted.push(ev);
    if (this.opDepth === 0 && this.callDepth === 0) this.flush();
  }

  /** @internal */
  pluginLog(level: number, message: string, vm: Vm, ctx: Context | null): void {
    if (level >= this.logLevel) this.record("plugin", level, message, vm, ctx);
  }

  /** @internal the emulator's own lines (traps), kept whatever the log level. */
  hostLog(level: number, message: string, vm: Vm, ctx: Context | null): void {
    this.record("host", level, message, vm, ctx);
  }

  private record(
    source: "plugin" | "host",
    level: number,
    message: string,
    vm: Vm,
    ctx: Context | null,
  ): void {
    const root = ctx?.root;
    this.logStore.add({
      level,
      message,
      source,
      pluginName: root?.pluginName ?? "",
      rootId: root?.rootId ?? "",
      vmId: vm.vmId,
    });
  }

  /** @internal log lines since the current load began, for StartError. */
  logLines(): string[] {
    return this.logStore
      .since(this.logMark)
      .map((e) => `[${LogLevel[e.level]?.toLowerCase() ?? e.level}] ${formatLogEntry(e)}`);
  }
}
