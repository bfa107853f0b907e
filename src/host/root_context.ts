// A root (plugin) context: one per root_id in a VM. Created, started and configured as cpp-host
// `WasmBase::start` / `ContextBase::onStart` / `onConfigure` do, ticked by its own timer, and the
// target of http / gRPC callout and queue callbacks.
import { Context, type BufferAccess, type MapAccess } from "./context.js";
import { BufferType, HeaderMapType, WasmResult } from "./enums.js";
import { StartError } from "./errors.js";
import { HeaderMap } from "./header_map.js";
import type { PropertyValue } from "./properties.js";
import { configBytes, FAILED, type Vm } from "./vm.js";
import { HttpContext, type HttpStreamListener } from "./http_context.js";
import { TcpContext, type TcpListener } from "./tcp_context.js";

export interface PluginOptions {
  /** Envoy `root_id`; "" is a valid root id. */
  rootId?: string;
  /** Envoy plugin `configuration`; an object is sent as JSON. */
  pluginConfig?: string | Uint8Array | object;
  /** Envoy plugin `name` (property `plugin_name`, log prefix). Default: the root id. */
  pluginName?: string;
  /** Envoy `fail_open`: after a trap, streams continue instead of getting a 503. */
  failOpen?: boolean;
  /** Envoy `allow_on_headers_stop_iteration`: header callbacks' 1 stays StopIteration. */
  allowOnHeadersStopIteration?: boolean;
}

/** Where a root context is in its life. */
export type RootState = "active" | "draining" | "deleted";

export class RootContext extends Context {
  readonly kind = "root" as const;
  readonly rootId: string;
  readonly pluginName: string;
  readonly pluginConfig: Buffer;
  readonly failOpen: boolean;
  readonly allowOnHeadersStopIteration: boolean;
  /** "draining" after on_done answered false, until the module calls proxy_done. */
  state: RootState = "active";

  /** @internal ms; 0 = off. */ tickPeriod = 0;
  /** @internal virtual-clock ms of the next tick. */ nextTickAt = 0;
  /** @internal last status for proxy_get_status. */ status = { code: 0, message: "" };
  /** @internal during proxy_on_vm_start / proxy_on_configure. */ configPhase:
    "vm" | "plugin" | null = null;
  /** @internal maps/buffers readable during the callout or gRPC callback in progress. */
  calloutData: { maps: Map<number, HeaderMap>; buffer?: { type: number; data: Buffer } } | null =
    null;

  constructor(vm: Vm, options: PluginOptions) {
    super(vm, vm.allocContextId());
    this.rootId = options.rootId ?? "";
    this.pluginName = options.pluginName ?? this.rootId;
    this.pluginConfig = configBytes(options.pluginConfig);
    this.failOpen = options.failOpen ?? false;
    this.allowOnHeadersStopIteration = options.allowOnHeadersStopIteration ?? false;
  }

  get root(): RootContext {
    return this;
  }

  /** The host this plugin runs in. */
  get host() {
    return this.vm.host;
  }

  /** @internal context_create → on_vm_start → on_configure; throws StartError on false or a trap. */
  start(): void {
    const vm = this.vm;
    vm.contexts.set(this.id, this);
    const fail = (what: string): never => {
      // A trap's own message says what trapped, in which root, and where.
      if (vm.trap) throw new StartError(vm.trap.message, this.host.logLines(), vm.trap);
      throw new StartError(`${what} (root_id "${this.rootId}")`, this.host.logLines());
    };
    if (vm.call(this, "proxy_on_context_create", this.id, 0) === FAILED)
      fail("proxy_on_context_create failed");
    this.created = true;
    this.configPhase = "vm";
    const started = vm.call(this, "proxy_on_vm_start", this.id, vm.vmConfig.length);
    this.configPhase = null;
    if (started === FAILED) fail("proxy_on_vm_start failed");
    if (started === 0) fail("Failed to start Wasm VM: proxy_on_vm_start returned false");
    this.configPhase = "plugin";
    const configured = vm.call(this, "proxy_on_configure", this.id, this.pluginConfig.length);
    this.configPhase = null;
    if (configured === FAILED) fail("proxy_on_configure failed");
    if (configured === 0)
      fail("Failed to configure Wasm plugin: proxy_on_configure returned false");
  }

  override getMap(type: number): MapAccess | undefined {
    if (type <= HeaderMapType.HttpResponseTrailers) return { map: null };
    return super.getMap(type);
  }

  /** @internal maps 4..7: only during the gRPC / http callout callback that carries them. */
  rootMap(type: number): MapAccess {
    return { map: this.calloutData?.maps.get(type) ?? null };
  }

  /** @internal buffers 4..7 */
  rootBuffer(type: number): BufferAccess | null {
    if (type === BufferType.VmConfiguration) {
      return this.configPhase === "vm" ? { get: () => this.vm.vmConfig } : null;
    }
    if (type === BufferType.PluginConfiguration) {
      return this.configPhase === "plugin" ? { get: () => this.pluginConfig } : null;
    }
    const b = this.calloutData?.buffer;
    if (!b || b.type !== type) return null;
    return { get: () => b.data, set: (d) => (b.data = d) };
  }

  override derivedProperty(segs: string[]): PropertyValue | undefined {
    if (segs.length !== 1) return undefined;
    if (segs[0] === "plugin_name") return this.pluginName;
    if (segs[0] === "plugin_root_id") return this.rootId;
    if (segs[0] === "plugin_vm_id") return this.vm.vmId;
    return undefined;
  }

  /** @internal proxy_set_tick_period_milliseconds */
  setTickPeriod(ms: number): void {
    this.tickPeriod = ms;
    this.nextTickAt = this.host.clock.monotonic() + ms;
  }

  /** A new HTTP stream of this plugin. `listener` hears what the stream forwards. */
  newHttpContext(listener?: HttpStreamListener): HttpContext {
    this.assertUsable();
    return new HttpContext(this, listener);
  }

  /** A new TCP connection of this plugin: runs context_create and proxy_on_new_connection. */
  newTcpContext(listener?: TcpListener): TcpContext {
    this.assertUsable();
    return this.host.run(() => new TcpContext(this, listener));
  }

  private assertUsable(): void {
    if (this.state !== "active") throw new Error(`plugin "${this.rootId}" is ${this.state}`);
  }

  /** @internal on_done; true → on_delete now, false → wait for proxy_done. */
  shutdown(): void {
    if (this.state !== "active") return;
    const r = this.vm.call(this, "proxy_on_done", this.id);
    if (r === 0) {
      this.state = "draining";
      return;
    }
    this.delete();
  }

  /** @internal proxy_done from the module: deferred on_delete. */
  done(): WasmResult {
    if (this.state !== "draining") return WasmResult.NotFound;
    this.vm.addAfterCallAction(() => this.delete());
    return WasmResult.Ok;
  }

  private delete(): void {
    if (this.state === "deleted") return;
    this.vm.call(this, "proxy_on_delete", this.id);
    this.state = "deleted";
    this.tickPeriod = 0;
    this.vm.contexts.delete(this.id);
  }
}

/** A plugin: the root context of one root_id in one VM. */
export type Plugin = RootContext;
