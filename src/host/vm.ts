// One Wasm VM: the compiled module, its instance and memory, the contexts it hosts, and the
// machinery around every host→VM call (current / effective context, restricted hostcalls,
// after-call actions, traps). Follows cpp-host `src/wasm.cc` (startVm, getFunctions),
// `src/v8/v8.cc` (linking, restricted_callback) and `src/context.cc` (DeferAfterCallActions).
import {
  readModuleInfo,
  isWasm,
  formatSignature,
  sameSignature,
  type ModuleInfo,
} from "./binary.js";
import { LoadError, StartError, HostTrap } from "./errors.js";
import { LogLevel, type AbiVersion } from "./enums.js";
import { WasmMemory } from "./memory.js";
import {
  ABI_MARKERS,
  envHostcalls,
  exportSignatures,
  WASI_HOSTCALLS,
  WASI_MODULES,
} from "./signatures.js";
import { buildImports } from "./hostcalls/index.js";
import {
  formatFrame,
  TrapError,
  TrapLocator,
  type SourceMap,
  type SourceMapOption,
} from "./trap_location.js";
import { MetricIds } from "./metrics.js";
import type { Host } from "./host.js";
import type { Context } from "./context.js";

/** Returned by `Vm.call` when the VM is failed or the call trapped. */
export const FAILED = Symbol("failed");
export type CallResult = number | undefined | typeof FAILED;

export interface VmOptions {
  /** Envoy `vm_config.vm_id`: VMs with the same id share shared data and queues. Default "". */
  vmId?: string;
  /** Envoy `vm_config.configuration`, read in `proxy_on_vm_start` as VM_CONFIGURATION. */
  vmConfig?: string | Uint8Array | object;
  /** Environment variables visible through WASI `environ_*` (Envoy `vm_config.environment_variables`). */
  env?: Record<string, string>;
  /**
   * The module's source map, for traps that name file:line: its JSON text, a path to it, or the
   * parsed map; false for none. Default: `<path>.map` or the module's `sourceMappingURL`.
   */
  sourceMap?: SourceMapOption;
  /**
   * Make a call into the VM while another call into it is running (from inside a hostcall) an
   * error: the VM fails with a critical line naming both calls. Envoy never calls back in
   * during a callback (it defers such work until the callback returns), so a filter's tests
   * should never see it. Default: on when the environment has PROXY_WASM_AS_STRICT_REENTRANCY=1
   * (this repository's test runner sets it), else off.
   */
  strictReentrancy?: boolean;
}

/** Thrown (and the VM failed) when a strict VM is called while a call into it is running. */
export class ReentrantCallError extends Error {
  override name = "ReentrantCallError";
}

export function configBytes(v: string | Uint8Array | object | undefined): Buffer {
  if (v === undefined) return Buffer.alloc(0);
  if (typeof v === "string") return Buffer.from(v, "utf8");
  if (v instanceof Uint8Array) return Buffer.from(v);
  return Buffer.from(JSON.stringify(v), "utf8");
}

export class Vm {
  readonly vmId: string;
  readonly vmConfig: Buffer;
  readonly env: Record<string, string>;
  readonly abiVersion: AbiVersion;
  readonly info: ModuleInfo;
  readonly metrics: MetricIds;
  /** Every live context of this VM by id (roots and streams). */
  readonly contexts = new Map<number, Context>();
  /** Set when the VM trapped: the message logged at critical level. */
  failure: string | null = null;
  /** Set when the VM trapped: where, in the filter's source (`trap.message`, `trap.frames`). */
  trap: TrapError | null = null;

  /** @internal */ memory!: WasmMemory;
  /** @internal */ exports!: Record<string, unknown>;
  /** @internal the context the current host→VM call is for. */ current: Context | null = null;
  /** @internal set by proxy_set_effective_context; 0 = use `current`. */ effectiveId = 0;
  /** @internal hostcall restriction in force. */ restriction: "start" | "allocator" | null = null;
  /** @internal */ readonly afterCallActions: (() => void)[] = [];
  /** @internal */ nextHttpCallToken = 0;
  /** @internal */ nextGrpcCallToken = 1;
  /** @internal */ nextGrpcStreamToken = 2;
  private nextContextId = 1;
  private depth = 0;
  private readonly strictReentrancy: boolean;
  /** The outermost call running, for the message of a re-entrant one. */
  private outerCall = "";
  private allocatorName!: string;
  private allocFn: ((...args: unknown[]) => unknown) | undefined;
  private locator!: TrapLocator;
  /** Exported functions by name; null = not exported. */
  private readonly fns = new Map<string, ((...args: unknown[]) => unknown) | null>();

  private constructor(
    readonly host: Host,
    /** @internal the compiled module; VMs of the same bytes share it. */
    readonly module: WebAssembly.Module,
    info: ModuleInfo,
    abiVersion: AbiVersion,
    options: VmOptions,
  ) {
    this.info = info;
    this.abiVersion = abiVersion;
    this.vmId = options.vmId ?? "";
    this.vmConfig = configBytes(options.vmConfig);
    this.env = options.env ?? {};
    this.metrics = new MetricIds(host.metricStore);
    this.strictReentrancy =
      options.strictReentrancy ?? process.env.PROXY_WASM_AS_STRICT_REENTRANCY === "1";
  }

  /** Validates, links, instantiates and starts (`_initialize` / `main` or `_start`) a module. */
  static async create(
    host: Host,
    bytes: Uint8Array,
    options: VmOptions,
    sourceMap: SourceMap | null = null,
    compiled?: WebAssembly.Module,
  ): Promise<Vm> {
    if (!isWasm(bytes)) throw new LoadError("Failed to load Wasm module: not a WebAssembly binary");
    let module: WebAssembly.Module;
    try {
      module = compiled ?? (await WebAssembly.compile(new Uint8Array(bytes)));
    } catch (e) {
      throw new LoadError(`Failed to load Wasm module: ${(e as Error).message}`);
    }
    const info = readModuleInfo(bytes);
    // cpp-host getAbiVersion: the first function export whose name is a marker.
    const marker = info.exports.find((e) => e.kind === "func" && e.name in ABI_MARKERS);
    if (!marker) throw new LoadError("Missing or unknown Proxy-Wasm ABI version");
    const version = ABI_MARKERS[marker.name];
    const env = envHostcalls(version);
    for (const imp of info.imports) {
      const table =
        imp.module === "env" ? env : WASI_MODULES.includes(imp.module) ? WASI_HOSTCALLS : undefined;
      const want = table?.[imp.name];
      if (!want || imp.kind !== "func") {
        throw new LoadError(
          `Failed to load Wasm module due to a missing import: ${imp.module}.${imp.name}`,
        );
      }
      if (imp.type && !sameSignature(imp.type, want)) {
        throw new LoadError(
          `Failed to load Wasm module due to an import type mismatch: ${imp.module}.${imp.name}, ` +
            `want: ${formatSignature(imp.type)}, but host exports: ${formatSignature(want)}`,
        );
      }
    }
    if (!info.exports.some((e) => e.name === "memory" && e.kind === "memory")) {
      throw new LoadError("Wasm module is missing the memory export");
    }
    // cpp-host order: ABI version, linking (imports), then the exported functions.
    const wanted = exportSignatures(version);
    const hasMalloc = info.exports.some((e) => e.kind === "func" && e.name === "malloc");
    for (const e of info.exports) {
      // proxy_on_memory_allocate is not even looked up when malloc exists.
      if (hasMalloc && e.name === "proxy_on_memory_allocate") continue;
      const want = wanted[e.name];
      if (e.kind === "func" && want && e.type && !sameSignature(e.type, want)) {
        throw new LoadError(`Bad function signature for: ${e.name}`);
      }
    }
    const names = new Set(info.exports.filter((e) => e.kind === "func").map((e) => e.name));
    // ⚠ cpp-host prefers `malloc` over `proxy_on_memory_allocate` (src/wasm.cc getFunctions).
    const allocator = names.has("malloc")
      ? "malloc"
      : names.has("proxy_on_memory_allocate")
        ? "proxy_on_memory_allocate"
        : null;
    if (!allocator) throw new LoadError("Wasm module is missing malloc function.");
    const vm = new Vm(host, module, info, version, options);
    vm.allocatorName = allocator;
    vm.locator = new TrapLocator(bytes, sourceMap);
    vm.instantiate();
    return vm;
  }

  private instantiate(): void {
    const imports = buildImports(this);
    let instance: WebAssembly.Instance;
    this.restriction = "start";
    // Until the instance exists (a start section runs inside the constructor) memory accesses
    // fail as InvalidMemoryAccess.
    this.memory = new WasmMemory(
      () => this.exports?.memory as WebAssembly.Memory | undefined,
      (n) => this.allocate(n),
    );
    let phase = "start"; // the function that traps, for the message
    try {
      // A start section runs here, before any context exists.
      instance = new WebAssembly.Instance(this.module, imports);
      this.exports = instance.exports as Record<string, unknown>;
      if (this.fn("_initialize")) {
        this.fn((phase = "_initialize"))!();
        if (this.fn("main")) this.fn((phase = "main"))!(0, 0);
        else if (this.fn("__main_void")) this.fn((phase = "__main_void"))!();
      } else if (this.fn("_start")) this.fn((phase = "_start"))!();
    } catch (e) {
      const msg = this.describeTrap(phase, e);
      this.failure = msg;
      this.host.hostLog(LogLevel.Critical, msg, this, null);
      throw new StartError(this.trap!.message, this.host.logLines(), this.trap!);
    } finally {
      this.restriction = null;
    }
  }

  /** @internal an exported function, if present. */
  fn(name: string): ((...args: unknown[]) => unknown) | undefined {
    const exports = this.exports;
    if (!exports) return undefined;
    // Exports never change once the instance exists: looked up once per name.
    let f = this.fns.get(name);
    if (f === undefined) {
      const v = exports[name];
      f = typeof v === "function" ? (v as (...args: unknown[]) => unknown) : null;
      this.fns.set(name, f);
    }
    return f ?? undefined;
  }

  has(name: string): boolean {
    return this.fn(name) !== undefined;
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  /**
   * @internal Lets the instance and its memory go once the host dropped this failed VM (streams
   * still open on it only get FAILED, which needs neither).
   */
  release(): void {
    if (!this.failed) return;
    this.exports = undefined as unknown as Record<string, unknown>;
    this.memory = new WasmMemory(
      () => undefined,
      () => 0,
    );
    this.fns.clear();
    this.allocFn = undefined;
  }

  /** @internal allocates id for a new context (per-VM counter from 1; 0 is the VM). */
  allocContextId(): number {
    return this.nextContextId++;
  }

  /** @internal the context hostcalls act on: the effective one if set, else the current one. */
  effectiveContext(): Context | null {
    if (this.effectiveId !== 0) return this.contexts.get(this.effectiveId) ?? this.current;
    return this.current;
  }

  /** @internal the module allocator, with hostcalls restricted while it runs. */
  allocate(size: number): number {
    const f = (this.allocFn ??= this.fn(this.allocatorName)!);
    const saved = this.restriction;
    this.restriction = "allocator";
    try {
      return (f(size) as number) >>> 0;
    } finally {
      this.restriction = saved;
    }
  }

  /** @internal queues work for when the outermost VM call has returned (cpp-host addAfterVmCallAction). */
  addAfterCallAction(action: () => void): void {
    this.afterCallActions.push(action);
  }

  /** True while a host→VM call of this VM is running. */
  get inCall(): boolean {
    return this.depth > 0;
  }

  /**
   * @internal Calls export `name` on behalf of `ctx`. Returns its i32 result (unsigned), undefined
   * when the export is missing or returns nothing, or FAILED when the VM is failed or trapped now.
   */
  call(ctx: Context | null, name: string, a = 0, b = 0, c = 0, d = 0, e = 0): CallResult {
    // Fixed parameters instead of a rest array: this runs for every callback of every request,
    // and a callback ignores the arguments it does not declare.
    if (this.failed) return FAILED;
    const f = this.fn(name);
    if (!f) return undefined;
    if (this.host.traceCalls) {
      const args = [a, b, c, d, e].slice(0, arguments.length - 2);
      this.host.callTrace.push(`${name}(${args.join(",")})`);
    }
    if (this.strictReentrancy) {
      if (this.depth > 0) {
        const err = new ReentrantCallError(
          `${name} was called while ${this.outerCall} is still running (strictReentrancy)`,
        );
        this.fail(name, err);
        throw err;
      }
      this.outerCall = name; // only strict mode names it
    }
    const savedCurrent = this.current;
    const savedEffectiveId = this.effectiveId;
    this.current = ctx;
    this.effectiveId = 0;
    this.depth++;
    this.host.callDepth++;
    try {
      const r = f(a, b, c, d, e);
      return typeof r === "number" ? r >>> 0 : undefined;
    } catch (err) {
      this.fail(name, err);
      return FAILED;
    } finally {
      this.depth--;
      this.host.callDepth--;
      this.current = savedCurrent;
      this.effectiveId = savedEffectiveId;
    }
  }

  /** Sets `trap` and returns the critical line: Envoy's, with the frames in the filter's source. */
  private describeTrap(name: string, e: unknown): string {
    const err = e as Error;
    const trap = new TrapError(
      name,
      e,
      this.locator.frames(e),
      this.locator.hint,
      this.current?.root.rootId,
    );
    this.trap = trap;
    let msg = `Function: ${name} failed: ${err instanceof HostTrap ? err.message : `Uncaught ${err?.name ?? "Error"}: ${err?.message ?? String(e)}`}`;
    if (trap.where) msg += ` at ${trap.where}`;
    if (trap.frames.length) {
      const lines = trap.frames.map((f, i) => `  ${i}: ${formatFrame(f)}`);
      msg += `\nProxy-Wasm plugin in-VM backtrace:\n${lines.join("\n")}`;
    }
    if (trap.hint) msg += `\nhint: ${trap.hint}`;
    return msg;
  }

  /** Marks the VM failed (cpp-host `fail(FailState::RuntimeError, …)`), logged at critical level. */
  private fail(name: string, e: unknown): void {
    if (this.failed) return;
    this.failure = this.describeTrap(name, e);
    this.host.hostLog(LogLevel.Critical, this.failure, this, this.current);
  }
}
