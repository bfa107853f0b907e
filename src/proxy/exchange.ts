// One request through the dev proxy: client → filters (first to last) → upstream, and
// upstream → filters (last to first) → client, chunk by chunk. Each filter is an emulator
// HttpContext; what one lets through (its listener hears it) is handed to the next, so pauses,
// buffering, body rewrites, local replies and callouts behave as the emulator says Envoy does.
import { randomUUID } from "node:crypto";
import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import type { FilterChain } from "./chain.js";
import {
  first,
  wireValue,
  headerChanges,
  rawPairs,
  removeWire,
  requestTarget,
  setWire,
  toWire,
  trailerObject,
  trailerPairs,
  wirePairs,
} from "./headers.js";
import { localReplyHeaders } from "../host/http_context.js";
import type { HttpContext, HttpStreamListener, LocalResponse, Pair } from "./host_api.js";
import { DEFAULT_ROUTE_TIMEOUT_MS, type Cluster, type Router } from "./routes.js";
import type { AccessRecord, DevProxyLogEvent } from "./types.js";

const EMPTY = Buffer.alloc(0);
/** The Host header becomes `:authority`. */
const HOST = new Set(["host"]);
// Property paths as segments: the emulator takes them without splitting a string per request.
const SOURCE_ADDRESS = ["source", "address"];
const SOURCE_PORT = ["source", "port"];
const DESTINATION_ADDRESS = ["destination", "address"];
const DESTINATION_PORT = ["destination", "port"];
const CONNECTION_ID = ["connection", "id"];

/** A downstream connection as its streams' properties describe it. */
export interface ConnectionInfo {
  id: number;
  sourceAddress: string;
  sourcePort: number;
  destinationAddress: string;
  destinationPort: number;
}

/** Reads what `ConnectionInfo` says from the socket (its addresses do not change). */
export function connectionInfo(socket: Socket, id: number): ConnectionInfo {
  return {
    id,
    sourceAddress: `${socket.remoteAddress}:${socket.remotePort}`,
    sourcePort: socket.remotePort ?? 0,
    destinationAddress: `${socket.localAddress}:${socket.localPort}`,
    destinationPort: socket.localPort ?? 0,
  };
}

/** What every exchange needs from the proxy. */
export interface ProxyCore {
  chain: FilterChain | null;
  router: Router;
  clusters: Map<string, Cluster>;
  agents: { http: http.Agent; https: https.Agent };
  log(e: DevProxyLogEvent): void;
  /** What the properties of a connection's streams say about it (worked out once). */
  connection(socket: Socket): ConnectionInfo;
  /** Clusters whose Host header is rewritten to the endpoint (the --upstream one). */
  autoHostClusters: Set<string>;
}

/** One direction's next hop: a filter, the upstream, or the client. */
interface Sink {
  headers(h: Pair[], eos: boolean): void;
  data(chunk: Buffer, eos: boolean): void;
  trailers(t: Pair[]): void;
}

/** An upstream request ready to be sent. */
interface PendingUpstream {
  options: https.RequestOptions;
  headers: string[];
  https: boolean;
}

/**
 * The body length a message declares with content-length (and no transfer-encoding), or -1.
 * Once that many bytes arrived the message is complete, and the last chunk goes to the filters
 * with end of stream, as Envoy's HTTP/1 codec hands it over (no separate empty end): one
 * callback less, and a body no filter changed keeps its content-length instead of going chunked.
 */
function declaredLength(message: http.IncomingMessage): number {
  if (message.headers["transfer-encoding"] !== undefined) return -1;
  const cl = message.headers["content-length"];
  return cl !== undefined && /^\d+$/.test(cl) ? Number(cl) : -1;
}

function requestHasBody(req: http.IncomingMessage): boolean {
  const cl = req.headers["content-length"];
  if (req.headers["transfer-encoding"] !== undefined) return true;
  return cl !== undefined && cl !== "0";
}

export class Exchange {
  private readonly started = performance.now();
  private readonly ctxs: HttpContext[] = [];
  private readonly names: string[] = [];
  private upstreamReq: http.ClientRequest | null = null;
  private upstreamRes: http.IncomingMessage | null = null;
  /** The upstream is no longer wanted (local reply, reset, client gone). */
  private upstreamAbandoned = false;
  /** Client data is no longer wanted (a reply was chosen, or the stream is over). */
  private requestDead = false;
  private finished = false;
  /** The filter whose local reply goes straight to the client (see `localReply`). */
  private directReplyFrom = -1;
  private waitingDownstreamDrain = false;
  private waitingUpstreamDrain = false;
  /** Filters holding more than the buffer limit behind stopped headers, per direction. */
  private readonly held = { request: new Set<number>(), response: new Set<number>() };
  private pendingDownstream: { status: number; headers: string[] } | null = null;
  private pendingUpstream: PendingUpstream | null = null;
  private requestIn: Pair[] = [];
  private requestOut: Pair[] | null = null;
  private responseIn: Pair[] | null = null;
  private responseOut: Pair[] | null = null;
  private readonly record: AccessRecord;
  /** The filter chain this request runs through (a --watch reload does not move it). */
  private readonly chain: FilterChain | null;
  /** Envoy's stream idle timer (refreshed on activity either way) and route timeout timer. */
  private idleTimer: NodeJS.Timeout | null = null;
  private routeTimer: NodeJS.Timeout | null = null;
  private routeTimeout = DEFAULT_ROUTE_TIMEOUT_MS;
  /** The client's request was read in full. */
  private requestComplete = false;

  constructor(
    private readonly core: ProxyCore,
    private readonly req: http.IncomingMessage,
    private readonly res: http.ServerResponse,
  ) {
    this.chain = core.chain;
    this.chain?.acquire();
    this.record = {
      method: req.method ?? "",
      path: req.url ?? "",
      status: 0,
      localReply: null,
      reset: null,
      cluster: null,
      durationMs: 0,
      bytes: { requestIn: 0, requestOut: 0, responseIn: 0, responseOut: 0 },
      requestHeaderChanges: [],
      responseHeaderChanges: [],
    };
  }

  // ---- wiring -------------------------------------------------------------------------------

  /** The hop after filter `i` on the request path (i = -1: the first filter). */
  private requestSink(i: number): Sink {
    const ctx = this.ctxs[i + 1];
    if (!ctx) return this.upstreamSink;
    return {
      headers: (h, eos) => ctx.requestHeaders(h, { endOfStream: eos }),
      data: (c, eos) => ctx.requestBody(c, { endOfStream: eos }),
      trailers: (t) => ctx.requestTrailers(t),
    };
  }

  /** The hop after filter `i` on the response path (i = ctxs.length: the last filter). */
  private responseSink(i: number): Sink {
    const ctx = this.ctxs[i - 1];
    if (!ctx) return this.downstreamSink;
    return {
      headers: (h, eos) => ctx.responseHeaders(h, { endOfStream: eos }),
      data: (c, eos) => ctx.responseBody(c, { endOfStream: eos }),
      trailers: (t) => ctx.responseTrailers(t),
    };
  }

  private listener(i: number): HttpStreamListener {
    return {
      onRequestHeaders: (h, eos) => this.requestSink(i).headers(h.entries(), eos),
      onRequestBody: (c, eos) => this.requestSink(i).data(c, eos),
      onRequestTrailers: (t) => this.requestSink(i).trailers(t.entries()),
      onResponseHeaders: (h, eos) => this.responseAfter(i).headers(h.entries(), eos),
      onResponseBody: (c, eos) => this.responseAfter(i).data(c, eos),
      onResponseTrailers: (t) => this.responseAfter(i).trailers(t.entries()),
      onLocalReply: (r) => this.localReply(i, r),
      onReset: (details) => this.filterReset(i, details),
      onWatermark: (direction, above) => this.watermark(i, direction, above),
    };
  }

  /** Where filter `i`'s response goes: the next filter, or the client for a direct reply. */
  private responseAfter(i: number): Sink {
    return this.directReplyFrom === i ? this.downstreamSink : this.responseSink(i);
  }

  /** Runs `f`; an exception (a bug, or the emulator refusing) fails this request only. */
  private guard(f: () => void): void {
    try {
      f();
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    const msg = err instanceof Error ? (err.stack ?? err.message) : String(err);
    this.core.log({
      kind: "proxy",
      level: "error",
      line: `[error] proxy: ${this.record.method} ${this.record.path}: ${msg}`,
    });
    this.abandonUpstream();
    this.requestDead = true;
    if (!this.res.headersSent && !this.res.destroyed) {
      this.record.localReply ??= { filter: "proxy", details: "internal_error" };
      this.pendingDownstream = null;
      this.res.writeHead(500, { "content-type": "text/plain", "content-length": "15" });
      this.res.end("internal error\n");
    } else {
      this.record.reset ??= "internal_error";
      this.res.destroy();
    }
  }

  // ---- start: the client's request ------------------------------------------------------------

  start(): void {
    const { req } = this;
    const chain = this.chain;
    const target = requestTarget(req.url ?? "/", req.headers.host);
    const headers: Pair[] = [
      [":authority", target?.authority ?? ""],
      [":path", target?.path ?? "/"],
      [":method", req.method ?? "GET"],
      [":scheme", target?.scheme ?? "http"],
      ...rawPairs(req.rawHeaders, HOST),
    ];
    // Envoy's connection manager adds these before any filter runs.
    if (req.headers["x-forwarded-proto"] === undefined) headers.push(["x-forwarded-proto", "http"]);
    if (req.headers["x-request-id"] === undefined) headers.push(["x-request-id", randomUUID()]);
    // The emulator copies what it is given, so these lists stay as they were for the access log.
    this.requestIn = headers;

    this.res.on("close", () => this.finish());
    // A pipelined request whose response never started gets no 'close' of its own.
    req.socket.once("close", this.onSocketClose);
    // Envoy's HTTP/1 codec answers these itself, before any filter: more than one Host
    // (RFC 9112 §3.2), or a request target that is neither origin nor absolute http(s) form.
    let hosts = 0;
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      if (req.rawHeaders[i].toLowerCase() === "host") hosts++;
    if (hosts > 1 || !target) {
      this.codecError(hosts > 1 ? "http1.duplicate_host_header" : "http1.invalid_url");
      return;
    }
    this.armIdle(this.core.router.streamIdleTimeout);
    this.guard(() => {
      if (chain) {
        chain.sync();
        const conn = this.core.connection(req.socket);
        const protocol = `HTTP/${req.httpVersion}`;
        const entries = chain.entries;
        for (let i = 0; i < entries.length; i++) {
          const ctx = entries[i].plugin.newHttpContext(this.listener(i));
          ctx.protocol = protocol;
          ctx.setProperty(SOURCE_ADDRESS, conn.sourceAddress);
          ctx.setProperty(SOURCE_PORT, conn.sourcePort);
          ctx.setProperty(DESTINATION_ADDRESS, conn.destinationAddress);
          ctx.setProperty(DESTINATION_PORT, conn.destinationPort);
          ctx.setProperty(CONNECTION_ID, conn.id);
          this.ctxs.push(ctx);
          this.names.push(entries[i].name);
        }
      }
      const hasBody = requestHasBody(req);
      this.requestComplete = !hasBody;
      this.requestSink(-1).headers(headers, !hasBody);
      if (!hasBody) {
        req.resume();
        return;
      }
      const length = declaredLength(req);
      let ended = false;
      req.on("data", (chunk: Buffer) => {
        this.record.bytes.requestIn += chunk.length;
        this.idleTimer?.refresh();
        const last = length >= 0 && this.record.bytes.requestIn >= length;
        if (last) this.requestComplete = ended = true;
        if (this.requestDead) return;
        this.inHost(() => this.requestSink(-1).data(chunk, last));
      });
      req.on("end", () => {
        this.requestComplete = true;
        if (this.requestDead || ended) return;
        const trailers = trailerPairs(req.rawTrailers);
        this.inHost(() =>
          trailers.length > 0
            ? this.requestSink(-1).trailers(trailers)
            : this.requestSink(-1).data(EMPTY, true),
        );
      });
      // The request may have been paused while a failed VM was replaced.
      req.resume();
    });
    chain?.reschedule();
  }

  /** Envoy's codec answers a malformed request: 400 "Bad Request", no filter runs, connection closed. */
  private codecError(details: string): void {
    this.requestDead = true;
    this.record.localReply = { filter: "proxy", details };
    this.res.shouldKeepAlive = false;
    this.res.writeHead(400, { "content-length": "11", "content-type": "text/plain" });
    this.res.end("Bad Request");
    this.req.resume();
  }

  /** (Re)arms the stream idle timer; 0 = none. */
  private armIdle(ms: number): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = ms > 0 ? setTimeout(() => this.idleTimeout(), ms).unref() : null;
  }

  /**
   * Envoy's stream idle timeout: nothing moved either way for that long. Before any response
   * headers: a 408 "stream timeout" (504 when the request was complete) through the filters;
   * after: the stream is reset.
   */
  private idleTimeout(): void {
    this.idleTimer = null;
    if (this.finished) return;
    this.requestDead = true;
    this.abandonUpstream();
    if (this.responseIn || this.res.headersSent) {
      this.record.reset ??= "stream_idle_timeout";
      this.res.destroy();
      return;
    }
    const status = this.requestComplete ? 504 : 408;
    this.inHost(() => this.proxyReply(status, "stream_idle_timeout", "stream timeout"));
  }

  /**
   * Envoy's route timeout (from the end of the request to the end of the response): 504
   * "upstream request timeout" (response flag UT) before the upstream answered, else a reset.
   */
  private routeTimedOut(): void {
    this.routeTimer = null;
    if (this.finished || this.upstreamAbandoned) return;
    const started = this.upstreamRes !== null;
    this.abandonUpstream();
    if (started) {
      this.record.reset ??= "upstream_response_timeout";
      this.res.destroy();
      return;
    }
    this.inHost(() =>
      this.proxyReply(504, "upstream_response_timeout", "upstream request timeout"),
    );
  }

  /** The request went upstream in full: the route timeout starts. */
  private startRouteTimer(): void {
    if (this.routeTimer || this.routeTimeout <= 0) return;
    this.routeTimer = setTimeout(() => this.routeTimedOut(), this.routeTimeout).unref();
  }

  /** An emulator interaction from an I/O event: clock on real time first, timer re-armed after. */
  private inHost(f: () => void): void {
    const chain = this.chain;
    if (chain) chain.sync();
    this.guard(f);
    if (chain) chain.reschedule();
  }

  // ---- filters' own decisions -----------------------------------------------------------------

  private localReply(i: number, r: LocalResponse): void {
    this.record.localReply ??= { filter: this.names[i] ?? "proxy", details: r.details };
    // Envoy FilterManager::sendLocalReply: once the response reached this filter, the reply
    // goes straight to the client (sendDirectLocalReply), skipping the encoder filters.
    if (this.ctxs[i]?.response.headersReceived) this.directReplyFrom = i;
    this.requestDead = true;
    this.abandonUpstream();
    this.held.request.clear();
    this.resumeReading("request"); // what the client still sends is read and dropped
  }

  /**
   * Envoy's flow control: filter `i` holds more than the buffer limit behind headers it stopped
   * (high watermark), so the sender (the client for the request, the upstream for the response)
   * is paused until the filter drains to half of it.
   */
  private watermark(i: number, direction: "request" | "response", above: boolean): void {
    if (above) this.held[direction].add(i);
    else this.held[direction].delete(i);
    this.resumeReading(direction);
  }

  /** Reads from a sender unless a filter holds too much or the next hop must drain first. */
  private resumeReading(direction: "request" | "response"): void {
    if (direction === "request") {
      if (this.held.request.size > 0 || this.waitingUpstreamDrain) this.req.pause();
      else this.req.resume();
    } else if (this.held.response.size > 0 || this.waitingDownstreamDrain)
      this.upstreamRes?.pause();
    else this.upstreamRes?.resume();
  }

  /**
   * The stream was reset by filter `i` (close_stream), or its local reply came after the response
   * had started through it. Envoy: a reply whose headers have not reached the client yet is sent
   * directly; otherwise the stream is reset (the connection closes).
   */
  private filterReset(i: number, details: string): void {
    this.requestDead = true;
    this.abandonUpstream();
    const reply = this.ctxs[i]?.sentLocalResponse;
    if (reply && !this.res.headersSent && !this.res.destroyed) {
      this.pendingDownstream = null;
      // Envoy's headers of a local reply: the filter's, content-type only when it set none.
      const headers = localReplyHeaders(reply).entries();
      if (reply.body.length === 0) headers.push(["content-length", "0"]);
      this.responseOut = headers;
      this.record.bytes.responseOut += reply.body.length;
      this.res.writeHead(
        reply.status,
        wirePairs(headers, () => undefined),
      );
      this.res.end(reply.body);
      return;
    }
    this.record.reset ??= details;
    this.res.destroy();
  }

  private abandonUpstream(): void {
    if (this.upstreamAbandoned) return;
    this.upstreamAbandoned = true;
    this.pendingUpstream = null;
    if (this.upstreamReq && !(this.upstreamRes?.complete ?? false)) this.upstreamReq.destroy();
  }

  // ---- the upstream side ----------------------------------------------------------------------

  private readonly upstreamSink: Sink = {
    headers: (h, eos) => {
      this.requestOut = h;
      const authority = first(h, ":authority") ?? "";
      const path = first(h, ":path") ?? "/";
      const method = first(h, ":method") ?? "GET";
      const match = this.core.router.match(authority, path);
      if (!match) {
        this.proxyReply(404, "route_not_found", "");
        return;
      }
      const cluster = this.core.clusters.get(match.route.cluster);
      if (!cluster) {
        this.proxyReply(503, "cluster_not_found", "");
        return;
      }
      this.record.cluster = cluster.name;
      this.routeTimeout = match.route.timeout ?? DEFAULT_ROUTE_TIMEOUT_MS;
      if (match.route.idleTimeout !== undefined) this.armIdle(match.route.idleTimeout);
      const ep = cluster.pick();
      const wire = wirePairs(h, (name) => this.warnHeader("request", name));
      let host = authority;
      if (match.route.hostRewrite) host = match.route.hostRewrite;
      else if (match.route.autoHostRewrite || this.core.autoHostClusters.has(cluster.name))
        host = ep.authority;
      if (host) wire.unshift("host", toWire(host));
      const isHttps = ep.protocol === "https:";
      this.pendingUpstream = {
        https: isHttps,
        headers: wire,
        options: {
          host: ep.hostname,
          port: ep.port,
          method,
          path: ep.basePath + match.path,
          agent: isHttps ? this.core.agents.https : this.core.agents.http,
          servername: isHttps ? ep.hostname : undefined,
        },
      };
      if (eos) this.openUpstream(EMPTY, true);
    },
    data: (chunk, eos) => {
      if (this.upstreamAbandoned) return;
      if (!this.upstreamReq) {
        this.openUpstream(chunk, eos);
        return;
      }
      this.writeUpstream(chunk, eos);
    },
    trailers: (t) => {
      if (this.upstreamAbandoned) return;
      if (!this.upstreamReq) this.openUpstream(EMPTY, false);
      const ureq = this.upstreamReq;
      if (!ureq) return;
      ureq.addTrailers(trailerObject(t));
      ureq.end();
      this.startRouteTimer();
    },
  };

  /**
   * Sends the request headers upstream with the first body bytes. When the whole body is known
   * here (end of stream), content-length is set to its real size, so a filter that rewrote a
   * buffered body without fixing content-length still sends a valid message.
   */
  private openUpstream(chunk: Buffer, eos: boolean): void {
    const p = this.pendingUpstream;
    if (!p || this.upstreamAbandoned) return;
    this.pendingUpstream = null;
    const wire = p.headers;
    if (eos) {
      const method = (p.options.method ?? "GET").toUpperCase();
      const declared = wireValue(wire, "content-length");
      if (declared !== undefined && declared !== String(chunk.length)) {
        this.warnLength("request", declared, chunk.length);
        setWire(wire, "content-length", String(chunk.length));
      } else if (
        declared === undefined &&
        (chunk.length > 0 || !["GET", "HEAD", "DELETE", "OPTIONS", "TRACE"].includes(method))
      ) {
        setWire(wire, "content-length", String(chunk.length));
      }
    } else {
      // The body is not known in full: a filter may still change its length, so a declared
      // content-length is dropped and the body goes chunked (what Envoy does wherever a filter
      // may rewrite a streamed body); a stale length would let the rest be read as a new request.
      if (this.ctxs.length > 0) removeWire(wire, "content-length");
      if (wireValue(wire, "content-length") === undefined)
        setWire(wire, "transfer-encoding", "chunked");
    }
    // Until 64 KiB of body went out, the request can be sent again if a kept-alive connection
    // turns out to be closed by the upstream (the race every pooling proxy has).
    this.retry = { p, chunks: [], size: 0, ended: false };
    this.sendUpstream(p);
    this.writeUpstream(chunk, eos);
  }

  private retry: { p: PendingUpstream; chunks: Buffer[]; size: number; ended: boolean } | null =
    null;

  private sendUpstream(p: PendingUpstream): void {
    const ureq = (p.https ? https : http).request({ ...p.options, headers: p.headers });
    this.upstreamReq = ureq;
    ureq.on("response", (ures) => this.upstreamResponse(ures));
    ureq.on("error", (err) => this.upstreamError(err, ureq));
  }

  private writeUpstream(chunk: Buffer, eos: boolean): void {
    const ureq = this.upstreamReq!;
    this.record.bytes.requestOut += chunk.length;
    const retry = this.retry;
    if (retry) {
      retry.size += chunk.length;
      if (retry.size > 64 * 1024) this.retry = null;
      else {
        if (chunk.length > 0) retry.chunks.push(chunk);
        if (eos) retry.ended = true;
      }
    }
    if (eos) {
      ureq.end(chunk);
      this.startRouteTimer();
      return;
    }
    if (chunk.length === 0) return;
    if (!ureq.write(chunk) && !this.waitingUpstreamDrain) {
      this.waitingUpstreamDrain = true;
      this.req.pause();
      ureq.once("drain", () => {
        this.waitingUpstreamDrain = false;
        this.resumeReading("request");
      });
    }
  }

  private upstreamResponse(ures: http.IncomingMessage): void {
    if (this.upstreamAbandoned || this.finished) {
      ures.resume();
      return;
    }
    this.upstreamRes = ures;
    this.retry = null;
    this.idleTimer?.refresh();
    const status = ures.statusCode ?? 502;
    const headers: Pair[] = [[":status", String(status)], ...rawPairs(ures.rawHeaders)];
    this.responseIn = headers;
    const method = this.req.method ?? "GET";
    const noBody =
      method === "HEAD" ||
      status === 204 ||
      status === 304 ||
      status < 200 ||
      ures.headers["content-length"] === "0";
    const last = this.ctxs.length;
    this.inHost(() => this.responseSink(last).headers(headers, noBody));
    if (noBody) {
      ures.resume();
      return;
    }
    const length = declaredLength(ures);
    let ended = false;
    ures.on("data", (chunk: Buffer) => {
      this.record.bytes.responseIn += chunk.length;
      this.idleTimer?.refresh();
      if (this.upstreamAbandoned) return;
      const eos = length >= 0 && this.record.bytes.responseIn >= length;
      if (eos) ended = true;
      this.inHost(() => this.responseSink(last).data(chunk, eos));
    });
    ures.on("end", () => {
      if (this.routeTimer) clearTimeout(this.routeTimer);
      this.routeTimer = null;
      if (this.upstreamAbandoned || ended) return;
      const trailers = trailerPairs(ures.rawTrailers);
      this.inHost(() =>
        trailers.length > 0
          ? this.responseSink(last).trailers(trailers)
          : this.responseSink(last).data(EMPTY, true),
      );
    });
    ures.on("close", () => {
      if (!ures.complete && !this.upstreamAbandoned && !this.finished) {
        this.record.reset ??= "upstream_reset_after_response_started";
        this.upstreamAbandoned = true;
        this.res.destroy();
      }
    });
  }

  private upstreamError(err: Error, ureq: http.ClientRequest): void {
    if (this.upstreamAbandoned || this.finished || ureq !== this.upstreamReq) return;
    if (this.upstreamRes) return; // handled by the response's close
    const code = (err as NodeJS.ErrnoException).code ?? err.message;
    const retry = this.retry;
    if (ureq.reusedSocket && code === "ECONNRESET" && retry) {
      this.retry = null;
      if (this.waitingUpstreamDrain) {
        this.waitingUpstreamDrain = false;
        this.resumeReading("request");
      }
      this.sendUpstream(retry.p);
      const again = this.upstreamReq!;
      for (const c of retry.chunks) again.write(c);
      if (retry.ended) again.end();
      return;
    }
    this.upstreamAbandoned = true;
    const connect = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ETIMEDOUT"];
    const reason = connect.includes(code) ? "connection failure" : "connection termination";
    // Envoy's router: a 503 local reply that passes through the filters' response path.
    this.inHost(() =>
      this.proxyReply(
        503,
        `upstream_reset_before_response_started{${reason.replace(" ", "_")}}`,
        `upstream connect error or disconnect/reset before headers. reset reason: ${reason} (${code})`,
      ),
    );
  }

  /** A reply made by the proxy itself (no route, no cluster, upstream down), via the filters. */
  private proxyReply(status: number, details: string, body: string): void {
    this.record.localReply ??= { filter: "proxy", details };
    this.pendingUpstream = null;
    this.upstreamAbandoned = true;
    const bytes = Buffer.from(body);
    const headers: Pair[] = [[":status", String(status)]];
    if (bytes.length > 0) {
      headers.push(["content-length", String(bytes.length)], ["content-type", "text/plain"]);
    }
    this.responseIn = headers;
    const last = this.ctxs.length;
    this.responseSink(last).headers(headers, bytes.length === 0);
    if (bytes.length > 0) this.responseSink(last).data(bytes, true);
  }

  // ---- the client side ------------------------------------------------------------------------

  private readonly downstreamSink: Sink = {
    headers: (h, eos) => {
      if (this.res.headersSent || this.res.destroyed) return;
      this.responseOut = h;
      const status = Number(first(h, ":status"));
      const wire = wirePairs(h, (name) => this.warnHeader("response", name));
      const valid = Number.isInteger(status) && status >= 200 && status <= 999;
      this.pendingDownstream = { status: valid ? status : 502, headers: wire };
      if (eos) this.openDownstream(EMPTY, true);
    },
    data: (chunk, eos) => {
      if (this.res.destroyed) return;
      if (this.pendingDownstream) {
        this.openDownstream(chunk, eos);
        return;
      }
      if (!this.res.headersSent) return;
      this.writeDownstream(chunk, eos);
    },
    trailers: (t) => {
      if (this.res.destroyed) return;
      if (this.pendingDownstream) this.openDownstream(EMPTY, false);
      if (!this.res.headersSent) return;
      this.res.addTrailers(trailerObject(t));
      this.res.end();
    },
  };

  /** Sends the response headers with the first body bytes (content-length fixed at end of stream). */
  private openDownstream(chunk: Buffer, eos: boolean): void {
    const p = this.pendingDownstream!;
    this.pendingDownstream = null;
    const wire = p.headers;
    const noContent = p.status === 204 || p.status === 304;
    const bodyless = this.req.method === "HEAD" || noContent;
    // No content-length on a 204 (RFC 9110 §8.6) or a 304 (it would describe a body that
    // this response does not have).
    if (noContent) removeWire(wire, "content-length");
    if (!eos && !bodyless && this.ctxs.length > 0) {
      // Streamed through filters that may change its length: chunked (close-delimited for an
      // HTTP/1.0 client), never a stale content-length.
      removeWire(wire, "content-length");
    }
    if (eos && !bodyless) {
      const declared = wireValue(wire, "content-length");
      if (declared !== undefined && declared !== String(chunk.length)) {
        this.warnLength("response", declared, chunk.length);
        setWire(wire, "content-length", String(chunk.length));
      } else if (declared === undefined) {
        setWire(wire, "content-length", String(chunk.length));
      }
    }
    this.res.writeHead(p.status, wire);
    this.writeDownstream(chunk, eos);
  }

  private writeDownstream(chunk: Buffer, eos: boolean): void {
    this.record.bytes.responseOut += chunk.length;
    this.idleTimer?.refresh();
    if (eos) {
      this.res.end(chunk);
      return;
    }
    if (chunk.length === 0) return;
    if (!this.res.write(chunk) && !this.waitingDownstreamDrain) {
      this.waitingDownstreamDrain = true;
      this.upstreamRes?.pause();
      this.res.once("drain", () => {
        this.waitingDownstreamDrain = false;
        this.resumeReading("response");
      });
    }
  }

  private warnHeader(direction: string, name: string): void {
    this.core.log({
      kind: "proxy",
      level: "warn",
      line: `[warn] proxy: ${this.record.method} ${this.record.path}: dropped ${direction} header "${name}" (invalid name or value)`,
    });
  }

  private warnLength(direction: string, declared: string, actual: number): void {
    this.core.log({
      kind: "proxy",
      level: "warn",
      line: `[warn] proxy: ${this.record.method} ${this.record.path}: the ${direction} body is ${actual} bytes but content-length said ${declared}; sent the real length (a filter that changes the body should remove content-length)`,
    });
  }

  // ---- the end --------------------------------------------------------------------------------

  private readonly onSocketClose = (): void => this.finish();

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.req.socket.off("close", this.onSocketClose);
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.routeTimer) clearTimeout(this.routeTimer);
    this.requestDead = true;
    const res = this.res;
    if (!res.writableFinished) this.record.reset ??= "downstream_disconnected";
    if (this.upstreamReq && !(this.upstreamRes?.complete ?? false)) {
      this.upstreamAbandoned = true;
      this.upstreamReq.destroy();
    }
    const chain = this.chain;
    if (chain && this.ctxs.length > 0) {
      chain.sync();
      // Envoy: access logging (proxy_on_log) then filter destruction (on_done, on_delete).
      for (const ctx of this.ctxs) {
        try {
          ctx.complete();
        } catch (err) {
          this.core.log({
            kind: "proxy",
            level: "error",
            line: `[error] proxy: completing the stream failed: ${(err as Error).message}`,
          });
        }
      }
      chain.reschedule();
    }
    chain?.release();
    const r = this.record;
    r.status = res.headersSent ? res.statusCode : 0;
    r.durationMs = performance.now() - this.started;
    if (this.requestOut) r.requestHeaderChanges = headerChanges(this.requestIn, this.requestOut);
    if (this.responseIn && this.responseOut)
      r.responseHeaderChanges = headerChanges(this.responseIn, this.responseOut);
    this.core.log({ kind: "access", level: "info", line: formatAccess(r), access: r });
  }
}

function bytes(n: number): string {
  return n < 10_000
    ? `${n}B`
    : n < 10_000_000
      ? `${(n / 1024).toFixed(0)}KiB`
      : `${(n / 1048576).toFixed(1)}MiB`;
}

/** `[access] "GET /headers" 200 1.2ms upstream=echo req=0B→0B res=312B→312B resp_headers=+hello` */
export function formatAccess(r: AccessRecord): string {
  const parts = [
    `[access] "${r.method} ${r.path}"`,
    String(r.status || "-"),
    `${r.durationMs.toFixed(1)}ms`,
  ];
  if (r.localReply) parts.push(`local_reply=${r.localReply.filter}:${r.localReply.details}`);
  else if (r.cluster) parts.push(`upstream=${r.cluster}`);
  if (r.reset) parts.push(`reset=${r.reset}`);
  const b = r.bytes;
  if (b.requestIn || b.requestOut)
    parts.push(`req_body=${bytes(b.requestIn)}→${bytes(b.requestOut)}`);
  if (b.responseIn || b.responseOut)
    parts.push(`resp_body=${bytes(b.responseIn)}→${bytes(b.responseOut)}`);
  if (r.requestHeaderChanges.length) parts.push(`req_headers=${r.requestHeaderChanges.join(",")}`);
  if (r.responseHeaderChanges.length)
    parts.push(`resp_headers=${r.responseHeaderChanges.join(",")}`);
  return parts.join(" ");
}
