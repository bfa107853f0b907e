// gRPC calls and streams of the filters (proxy_grpc_call / proxy_grpc_stream) sent for real over
// HTTP/2 to an endpoint of the named cluster, and their replies delivered as they arrive: a unary
// call gets proxy_on_grpc_receive or proxy_on_grpc_close, a stream gets initial metadata,
// messages, trailing metadata and close, as Envoy's async gRPC client does.
import http2 from "node:http2";
import { performance } from "node:perf_hooks";
import type { FilterChain } from "./chain.js";
import type { GrpcCall, Pair } from "../host/index.js";
import type { Cluster, Endpoint } from "./routes.js";
import type { DevProxyLogEvent } from "./types.js";

const GRPC = {
  Ok: 0,
  Cancelled: 1,
  Unknown: 2,
  DeadlineExceeded: 4,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  PermissionDenied: 7,
  Unauthenticated: 16,
} as const;

/** gRPC's mapping of an HTTP status without grpc-status (the gRPC HTTP/2 spec). */
function statusFromHttp(status: number): number {
  if (status === 400) return GRPC.Internal;
  if (status === 401) return GRPC.Unauthenticated;
  if (status === 403) return GRPC.PermissionDenied;
  if (status === 404) return GRPC.Unimplemented;
  if ([429, 502, 503, 504].includes(status)) return GRPC.Unavailable;
  return GRPC.Unknown;
}

function frame(message: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

function metadataPairs(h: http2.IncomingHttpHeaders): Pair[] {
  const out: Pair[] = [];
  for (const [k, v] of Object.entries(h)) {
    if (k.startsWith(":") || v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.push([k, String(one)]);
  }
  return out;
}

export interface GrpcContext {
  clusters: Map<string, Cluster>;
  log(e: DevProxyLogEvent): void;
}

interface Active {
  call: GrpcCall;
  /** The chain of the plugin that opened it. */
  chain: () => FilterChain | null;
  stream: http2.ClientHttp2Stream | null;
  /** How many of `call.sent` went out. */
  forwarded: number;
  ended: boolean;
  timer: NodeJS.Timeout | null;
}

/** The gRPC side of the dev proxy: one HTTP/2 session per endpoint, reused. */
export class GrpcClient {
  private readonly sessions = new Map<string, http2.ClientHttp2Session>();
  private readonly active = new Set<Active>();

  constructor(private readonly ctx: GrpcContext) {}

  private session(ep: Endpoint): http2.ClientHttp2Session {
    const key = `${ep.protocol}//${ep.authority}`;
    let s = this.sessions.get(key);
    if (s && !s.closed && !s.destroyed) return s;
    s = http2.connect(key);
    s.on("error", () => undefined); // reported per stream
    s.on("close", () => {
      if (this.sessions.get(key) === s) this.sessions.delete(key);
    });
    s.unref();
    this.sessions.set(key, s);
    return s;
  }

  /** The module opened a call or stream (runs inside the VM call: only I/O starts here). */
  start(call: GrpcCall, chainOf: () => FilterChain | null): void {
    const started = performance.now();
    const a: Active = {
      call,
      chain: chainOf,
      stream: null,
      forwarded: 0,
      ended: false,
      timer: null,
    };
    this.active.add(a);
    const label = `${call.cluster}/${call.service}/${call.method}`;
    const cluster = this.ctx.clusters.get(call.cluster);
    const finish = (status: number, message: string) => {
      if (a.ended) return;
      a.ended = true;
      this.active.delete(a);
      if (a.timer) clearTimeout(a.timer);
      this.ctx.log({
        kind: "proxy",
        level: "info",
        line: `[grpc] ${label} → status ${status}${message ? ` (${message})` : ""} ${(performance.now() - started).toFixed(1)}ms (token ${call.token})`,
      });
    };
    const deliver = (f: (chain: FilterChain) => void) => {
      const chain = chainOf();
      if (!chain || !chain.host.grpcCalls.includes(call)) return; // cancelled by the module
      try {
        chain.sync();
        f(chain);
      } catch (err) {
        this.ctx.log({
          kind: "proxy",
          level: "error",
          line: `[error] proxy: delivering a gRPC reply failed: ${(err as Error).message}`,
        });
      }
      chain.reschedule();
    };
    const fail = (status: number, message: string) => {
      finish(status, message);
      a.stream?.close(http2.constants.NGHTTP2_CANCEL);
      deliver((chain) => chain.host.closeGrpcCall(call, status, message));
    };
    if (!cluster) {
      setImmediate(() => fail(GRPC.Unavailable, `no cluster ${call.cluster}`));
      return;
    }
    const ep = cluster.pick();
    const headers: http2.OutgoingHttpHeaders = {
      ":method": "POST",
      ":path": `/${call.service}/${call.method}`,
      ":authority": ep.authority,
      "content-type": "application/grpc",
      te: "trailers",
    };
    for (const [k, v] of call.initialMetadata.entries()) if (!k.startsWith(":")) headers[k] = v;
    if (call.timeoutMs > 0) headers["grpc-timeout"] = `${call.timeoutMs}m`;
    let stream: http2.ClientHttp2Stream;
    try {
      stream = this.session(ep).request(headers, { endStream: false });
    } catch (err) {
      setImmediate(() => fail(GRPC.Unavailable, (err as Error).message));
      return;
    }
    a.stream = stream;
    if (call.timeoutMs > 0) {
      a.timer = setTimeout(
        () => fail(GRPC.DeadlineExceeded, "gRPC call timed out"),
        call.timeoutMs,
      );
      a.timer.unref();
    }
    if (call.kind === "call") stream.end(frame(call.message ?? Buffer.alloc(0)));
    else this.flushStream(a);

    let pending = Buffer.alloc(0);
    const messages: Buffer[] = [];
    let status: number | null = null;
    let statusMessage = "";
    let httpStatus = 0;
    const readStatus = (h: http2.IncomingHttpHeaders) => {
      if (h["grpc-status"] !== undefined) {
        status = Number(h["grpc-status"]);
        statusMessage = decodeURIComponent(String(h["grpc-message"] ?? ""));
      }
    };
    stream.on("response", (h) => {
      httpStatus = Number(h[":status"] ?? 0);
      readStatus(h);
      if (call.kind === "stream" && httpStatus === 200 && status === null) {
        deliver((chain) => chain.host.grpcStreamInitialMetadata(call, metadataPairs(h)));
      }
    });
    stream.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 5) {
        const len = pending.readUInt32BE(1);
        if (pending.length < 5 + len) break;
        const msg = pending.subarray(5, 5 + len);
        pending = pending.subarray(5 + len);
        if (call.kind === "stream") deliver((chain) => chain.host.grpcStreamMessage(call, msg));
        else messages.push(Buffer.from(msg));
      }
    });
    stream.on("trailers", (h) => {
      readStatus(h);
      if (call.kind === "stream" && !a.ended) {
        deliver((chain) => chain.host.grpcStreamTrailingMetadata(call, metadataPairs(h)));
      }
    });
    stream.on("close", () => {
      if (a.ended) return;
      let code: number = status ?? GRPC.Unknown;
      let msg = statusMessage;
      if (status === null) {
        if (httpStatus === 0) {
          code = GRPC.Unavailable;
          msg = "upstream connect error or disconnect/reset before headers";
        } else if (httpStatus !== 200) {
          code = statusFromHttp(httpStatus);
          msg = `HTTP status ${httpStatus}`;
        } else msg = "no grpc-status";
      }
      finish(code, msg);
      if (call.kind === "call" && code === GRPC.Ok) {
        if (messages.length === 1) {
          deliver((chain) => chain.host.respondToGrpcCall(call, messages[0]));
          return;
        }
        code = GRPC.Internal;
        msg = `a unary reply needs one message, got ${messages.length}`;
      }
      deliver((chain) => chain.host.closeGrpcCall(call, code, msg));
    });
    stream.on("error", () => undefined); // reported through close
  }

  /** Sends what streams' modules queued with proxy_grpc_send; cancels what they cancelled. */
  flush(): void {
    if (this.active.size === 0) return;
    for (const a of [...this.active]) {
      const chain = a.chain();
      if (!chain || !chain.host.grpcCalls.includes(a.call)) {
        // proxy_grpc_cancel / proxy_grpc_close, or the module's VM is gone.
        a.ended = true;
        this.active.delete(a);
        if (a.timer) clearTimeout(a.timer);
        a.stream?.close(http2.constants.NGHTTP2_CANCEL);
        continue;
      }
      if (a.call.kind === "stream") this.flushStream(a);
    }
  }

  private flushStream(a: Active): void {
    const s = a.stream;
    if (!s || s.closed || s.writableEnded) return;
    while (a.forwarded < a.call.sent.length) s.write(frame(a.call.sent[a.forwarded++]));
    if (a.call.localClosed) s.end();
  }

  close(): void {
    for (const a of this.active) {
      if (a.timer) clearTimeout(a.timer);
      a.stream?.close(http2.constants.NGHTTP2_CANCEL);
    }
    this.active.clear();
    for (const s of this.sessions.values()) s.destroy();
    this.sessions.clear();
  }
}
