// A TCP connection through one plugin, as Envoy's wasm network filter drives it
// (Envoy `source/extensions/common/wasm/context.cc` onNewConnection/onData/onWrite/onEvent,
// cpp-host `src/context.cc` onDownstreamConnectionClose / onCloseTCP: done → log → delete).
import { Context, type BufferAccess } from "./context.js";
import { Action } from "./action.js";
import { BufferType, PeerType, StreamType, WasmResult } from "./enums.js";
import { GrowableBuffer } from "./growable_buffer.js";
import type { RootContext } from "./root_context.js";
import { FAILED, type CallResult } from "./vm.js";

/** Hears what the connection passes on (all optional). */
export interface TcpListener {
  /** Bytes from the client passed on to the upstream. */
  onDownstreamData?(data: Buffer, endOfStream: boolean): void;
  /** Bytes from the upstream passed on to the client. */
  onUpstreamData?(data: Buffer, endOfStream: boolean): void;
  /** The filter (or the fail-closed policy) closed the connection. */
  onClose?(): void;
}

export type TcpState = "open" | "closed" | "completed";

/** One direction of a connection: what was passed on and what is held back. */
export class TcpFlow {
  private readonly chunks: Buffer[] = [];
  /**
   * @internal Envoy's read buffer: the bytes held because the filter stopped, plus, during a
   * data callback, the new ones. Appended without re-copying what is held.
   */
  readonly buffer = new GrowableBuffer();
  /** @internal a data callback is running and sees `buffer`. */ inCall = false;
  /** @internal */ ended = false;
  /** @internal bytes held because the filter stopped (none while a data callback runs). */
  get held(): Buffer {
    return this.inCall ? Buffer.alloc(0) : this.buffer.bytes();
  }
  /** @internal the buffer of the data callback in progress. */
  get current(): Buffer | null {
    return this.inCall ? this.buffer.bytes() : null;
  }
  /** The bytes passed on so far. */
  get forwarded(): Buffer {
    return Buffer.concat(this.chunks);
  }
  /** The forwarded bytes as UTF-8. */
  text(): string {
    return this.forwarded.toString("utf8");
  }
  /** Bytes held back by a stopped filter. */
  get pending(): Buffer {
    return this.held;
  }
  /** @internal */
  push(b: Buffer): void {
    if (b.length) this.chunks.push(b);
  }
}

function toBuffer(b: string | Uint8Array): Buffer {
  return typeof b === "string" ? Buffer.from(b, "utf8") : Buffer.from(b);
}

export class TcpContext extends Context {
  readonly kind = "tcp" as const;
  /** Client → upstream. */
  readonly downstream = new TcpFlow();
  /** Upstream → client. */
  readonly upstream = new TcpFlow();
  state: TcpState = "open";
  /** What proxy_on_new_connection answered. */
  readonly newConnectionAction: Action;
  private streamFailed = false;
  private upstreamClosed = false;
  private readonly filterStates = new Map<string, Buffer>();
  private downstreamClosed = false;

  constructor(
    readonly root: RootContext,
    private readonly listener: TcpListener = {},
  ) {
    super(root.vm, root.vm.allocContextId());
    this.vm.contexts.set(this.id, this);
    this.created = true;
    this.vm.call(this, "proxy_on_context_create", this.id, root.id);
    this.newConnectionAction = this.toAction(
      this.vm.call(this, "proxy_on_new_connection", this.id),
    );
  }

  private get host() {
    return this.root.host;
  }

  /** Bytes from the client (Envoy onData). */
  downstreamData(data: string | Uint8Array, options: { endOfStream?: boolean } = {}): Action {
    return this.data(
      this.downstream,
      "proxy_on_downstream_data",
      toBuffer(data),
      options.endOfStream ?? false,
    );
  }

  /** Bytes from the upstream (Envoy onWrite); end_of_stream also reports the upstream close. */
  upstreamData(data: string | Uint8Array, options: { endOfStream?: boolean } = {}): Action {
    const eos = options.endOfStream ?? false;
    const action = this.data(this.upstream, "proxy_on_upstream_data", toBuffer(data), eos);
    if (eos) this.closeUpstream(PeerType.Unknown);
    return action;
  }

  /** The client side closed (default: by the remote peer). */
  closeDownstream(peer: "local" | "remote" = "remote"): void {
    if (this.downstreamClosed || this.state === "completed") return;
    this.host.run(() => {
      this.downstreamClosed = true;
      this.state = "closed";
      this.vm.call(
        this,
        "proxy_on_downstream_connection_close",
        this.id,
        peer === "local" ? PeerType.Local : PeerType.Remote,
      );
      // cpp-host onDownstreamConnectionClose: the connection is finished once upstream closed too.
      if (this.upstreamClosed) this.complete();
    });
  }

  /** The upstream side closed. */
  closeUpstream(peer: PeerType | "local" | "remote" = PeerType.Unknown): void {
    if (this.upstreamClosed || this.state === "completed") return;
    const p = peer === "local" ? PeerType.Local : peer === "remote" ? PeerType.Remote : peer;
    this.host.run(() => {
      this.upstreamClosed = true;
      this.vm.call(this, "proxy_on_upstream_connection_close", this.id, p);
    });
  }

  /** The connection is gone: proxy_on_done → proxy_on_log → proxy_on_delete (cpp-host onCloseTCP). */
  complete(): void {
    if (this.state === "completed") return;
    this.host.run(() => {
      this.vm.call(this, "proxy_on_done", this.id);
      this.vm.call(this, "proxy_on_log", this.id);
      this.vm.call(this, "proxy_on_delete", this.id);
      this.vm.contexts.delete(this.id);
      this.state = "completed";
    });
  }

  /** Sets a property seen only by this connection. */
  setProperty(path: string | string[], value: import("./properties.js").PropertyValue): void {
    this.localProperties.set(path, value);
  }

  private data(flow: TcpFlow, name: string, chunk: Buffer, eos: boolean): Action {
    if (this.state !== "open") throw new Error(`TCP context ${this.id} is ${this.state}`);
    return this.host.run(() => {
      // A stopped network filter leaves the bytes in the read buffer; the next call sees them all.
      // `chunk` is a fresh copy (toBuffer), so an empty buffer can take it as it is.
      if (flow.buffer.length === 0) flow.buffer.replace(chunk);
      else flow.buffer.append(chunk);
      flow.inCall = true;
      const action = this.toAction(
        this.vm.call(this, name, this.id, flow.buffer.length, eos ? 1 : 0),
      );
      flow.inCall = false;
      if (action === Action.Continue) this.forward(flow, flow.buffer.take(), eos);
      return action;
    });
  }

  private forward(flow: TcpFlow, data: Buffer, eos: boolean): void {
    flow.push(data);
    if (eos) flow.ended = true;
    if (flow === this.downstream) this.listener.onDownstreamData?.(data, eos);
    else this.listener.onUpstreamData?.(data, eos);
  }

  private toAction(raw: CallResult): Action {
    if (raw === FAILED) {
      if (this.root.failOpen) return Action.Continue;
      // Envoy Context::failStream for network streams: close the connection.
      if (!this.streamFailed) {
        this.streamFailed = true;
        this.vm.addAfterCallAction(() => this.closeByFilter());
      }
      return Action.Pause;
    }
    return raw === undefined || raw === 0 ? Action.Continue : Action.Pause;
  }

  private closeByFilter(): void {
    if (this.state !== "open") return;
    this.state = "closed";
    this.listener.onClose?.();
    this.closeDownstream("local");
    this.complete();
  }

  override getBuffer(type: number): BufferAccess | null | undefined {
    if (type === BufferType.DownstreamData || type === BufferType.UpstreamData) {
      const flow = type === BufferType.DownstreamData ? this.downstream : this.upstream;
      if (!flow.inCall) return null;
      return { get: () => flow.buffer.bytes(), set: (d) => flow.buffer.replace(d) };
    }
    return super.getBuffer(type);
  }

  override setFilterState(key: string, value: Buffer): WasmResult {
    this.filterStates.set(key, value);
    return WasmResult.Ok;
  }

  override filterStateValue(key: string): Buffer | undefined {
    return this.filterStates.get(key);
  }

  /** Filter state written by proxy_set_property, by key (`wasm.<name>`). */
  filterState(key: string): Buffer | undefined {
    return this.filterStates.get(key);
  }

  override continueStream(type: number): WasmResult {
    if (type === StreamType.Downstream) {
      this.vm.addAfterCallAction(() => {
        if (this.state !== "open") return;
        const flow = this.downstream;
        this.forward(flow, flow.inCall ? Buffer.alloc(0) : flow.buffer.take(), false);
      });
      return WasmResult.Ok;
    }
    return super.continueStream(type);
  }

  override closeStream(type: number): WasmResult {
    if (type === StreamType.Downstream || type === StreamType.Upstream) {
      this.vm.addAfterCallAction(() => this.closeByFilter());
      return WasmResult.Ok;
    }
    return super.closeStream(type);
  }
}
