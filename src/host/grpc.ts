// gRPC calls and streams (Envoy `context.cc` grpcCall / grpcStream / grpcSend / grpcCancel /
// grpcClose and the GrpcCallClientHandler / GrpcStreamClientHandler callbacks). Tokens come
// per VM: calls 5, 9, …; streams 6, 10, … (token & 3 = 1 call, 2 stream).
import { BufferType, HeaderMapType, WasmResult } from "./enums.js";
import { HeaderMap, type HeadersInit } from "./header_map.js";
import type { Pair } from "./pairs.js";
import type { RootContext } from "./root_context.js";
import type { Host } from "./host.js";
import type { Vm } from "./vm.js";

export interface GrpcCall {
  token: number;
  kind: "call" | "stream";
  cluster: string;
  service: string;
  method: string;
  initialMetadata: HeaderMap;
  /** The request message of a unary call. */
  message: Buffer | null;
  /** Messages sent on a stream with proxy_grpc_send. */
  sent: Buffer[];
  /** The module half-closed the stream (end_stream on send). */
  localClosed: boolean;
  /** Timeout in milliseconds; 0 = none. */
  timeoutMs: number;
  /** Same as `timeoutMs`. */
  timeout: number;
  plugin: RootContext;
}

function bytes(b: string | Uint8Array): Buffer {
  return typeof b === "string" ? Buffer.from(b, "utf8") : Buffer.from(b);
}

export class GrpcCalls {
  /** Open calls and streams. */
  readonly pending: GrpcCall[] = [];

  constructor(private readonly host: Host) {}

  /** @internal */
  open(
    root: RootContext,
    kind: "call" | "stream",
    cluster: string,
    service: string,
    method: string,
    metadata: Pair[],
    message: Buffer | null,
    timeoutMs: number,
  ): { result: WasmResult; token?: number } {
    // Envoy: an upstream that is neither a GrpcService proto nor a known cluster → ParseFailure.
    if (!this.host.knowsCluster(cluster)) return { result: WasmResult.ParseFailure };
    const vm = root.vm;
    let token: number;
    if (kind === "call") token = vm.nextGrpcCallToken += 4;
    else token = vm.nextGrpcStreamToken += 4;
    const call: GrpcCall = {
      token,
      kind,
      cluster,
      service,
      method,
      initialMetadata: new HeaderMap(metadata),
      message,
      sent: [],
      localClosed: false,
      timeoutMs,
      timeout: timeoutMs,
      plugin: root,
    };
    this.pending.push(call);
    this.host.onGrpcCall?.(call);
    return { result: WasmResult.Ok, token };
  }

  private lookup(vm: Vm, token: number): GrpcCall | undefined {
    return this.pending.find((c) => c.token === token && c.plugin.vm === vm);
  }

  /** @internal */
  send(vm: Vm, token: number, msg: Buffer, endStream: boolean): WasmResult {
    if ((token & 3) !== 2) return WasmResult.BadArgument;
    const c = this.lookup(vm, token);
    if (!c) return WasmResult.NotFound;
    c.sent.push(msg);
    if (endStream) c.localClosed = true;
    return WasmResult.Ok;
  }

  /**
   * @internal proxy_grpc_cancel forgets the call or stream: no more callbacks. proxy_grpc_close
   * does the same for a unary call, but only closes our side of a stream, which stays open
   * until the remote side closes it (Envoy context.cc grpcClose: closeStream + local_closed_).
   */
  cancel(vm: Vm, token: number, how: "cancel" | "close"): WasmResult {
    if ((token & 3) !== 1 && (token & 3) !== 2) return WasmResult.BadArgument;
    const c = this.lookup(vm, token);
    if (!c) return WasmResult.NotFound;
    if (how === "close" && (token & 3) === 2) {
      c.localClosed = true;
      return WasmResult.Ok;
    }
    this.pending.splice(this.pending.indexOf(c), 1);
    return WasmResult.Ok;
  }

  /** @internal */
  get(token: number | GrpcCall): GrpcCall {
    const c = typeof token === "number" ? this.pending.find((x) => x.token === token) : token;
    if (!c || !this.pending.includes(c))
      throw new Error(
        `no open gRPC call or stream with token ${typeof token === "number" ? token : token.token}`,
      );
    return c;
  }

  private deliver(
    c: GrpcCall,
    fn: string,
    arg: number,
    data: { map?: [number, HeaderMap]; message?: Buffer },
  ): void {
    const root = c.plugin;
    if (root.state === "deleted") return;
    this.withData(root, data, () => root.vm.call(root, fn, root.id, c.token, arg));
  }

  private withData(
    root: RootContext,
    data: { map?: [number, HeaderMap]; message?: Buffer },
    f: () => void,
  ): void {
    root.calloutData = {
      maps: new Map(data.map ? [data.map] : []),
      buffer: data.message ? { type: BufferType.GrpcReceiveBuffer, data: data.message } : undefined,
    };
    try {
      f();
    } finally {
      root.calloutData = null;
    }
  }

  /** @internal unary success: proxy_on_grpc_receive. */
  respond(token: number | GrpcCall, message: string | Uint8Array): void {
    const c = this.get(token);
    if (c.kind !== "call") throw new Error(`token ${c.token} is a stream; use the stream methods`);
    this.pending.splice(this.pending.indexOf(c), 1);
    c.plugin.status = { code: 0, message: "" };
    const m = bytes(message);
    this.deliver(c, "proxy_on_grpc_receive", m.length, { message: m });
  }

  /** @internal stream: initial metadata. */
  initialMetadata(token: number | GrpcCall, md: HeadersInit): void {
    const c = this.get(token);
    const map = new HeaderMap(md);
    this.deliver(c, "proxy_on_grpc_receive_initial_metadata", map.size, {
      map: [HeaderMapType.GrpcReceiveInitialMetadata, map],
    });
  }

  /** @internal stream: one message. */
  message(token: number | GrpcCall, message: string | Uint8Array): void {
    const c = this.get(token);
    const m = bytes(message);
    this.deliver(c, "proxy_on_grpc_receive", m.length, { message: m });
  }

  /** @internal stream: trailing metadata. */
  trailingMetadata(token: number | GrpcCall, md: HeadersInit): void {
    const c = this.get(token);
    const map = new HeaderMap(md);
    this.deliver(c, "proxy_on_grpc_receive_trailing_metadata", map.size, {
      map: [HeaderMapType.GrpcReceiveTrailingMetadata, map],
    });
  }

  /** @internal a unary failure or the end of a stream: proxy_on_grpc_close with the status. */
  close(token: number | GrpcCall, status: number, message = ""): void {
    const c = this.get(token);
    this.pending.splice(this.pending.indexOf(c), 1);
    c.plugin.status = { code: status, message };
    this.deliver(c, "proxy_on_grpc_close", status, {});
  }
}
