// An HTTP stream through one plugin, driven the way Envoy drives a wasm HTTP filter
// (Envoy `source/extensions/common/wasm/context.cc` decodeHeaders/decodeData/…, `log`,
// `onDestroy`; cpp-host `src/context.cc` convertVmCallResultTo*; `conn_manager_impl.cc` for the
// log → done → delete order).
import { toNanos } from "./clock.js";
import { Context, type BufferAccess, type LocalResponse, type MapAccess } from "./context.js";
import { Action } from "./action.js";
import {
  FilterDataStatus,
  FilterHeadersStatus,
  FilterTrailersStatus,
  GrpcStatus,
  HeaderMapType,
  StreamType,
  WasmResult,
} from "./enums.js";
import { HeaderMap, type HeadersInit } from "./header_map.js";
import { HttpMessage, type StreamEvent } from "./http_message.js";
import { traverse, TypedValue, type PropertyValue } from "./properties.js";
import type { RootContext } from "./root_context.js";
import { FAILED, type CallResult } from "./vm.js";

/** Hears what the stream passes on; for the dev proxy (all optional). */
export interface HttpStreamListener {
  onRequestHeaders?(headers: HeaderMap, endOfStream: boolean): void;
  onRequestBody?(chunk: Buffer, endOfStream: boolean): void;
  onRequestTrailers?(trailers: HeaderMap): void;
  onResponseHeaders?(headers: HeaderMap, endOfStream: boolean): void;
  onResponseBody?(chunk: Buffer, endOfStream: boolean): void;
  onResponseTrailers?(trailers: HeaderMap): void;
  /** The filter (or the fail-closed policy) answered with a local reply. */
  onLocalReply?(reply: LocalResponse): void;
  /** The stream was reset (e.g. proxy_close_stream); `details` as Envoy's response code details. */
  onReset?(details: string): void;
  /**
   * Envoy's flow control: while the headers are stopped (StopAllIterationAndWatermark) the body
   * that arrives is queued; past the buffer limit (high watermark) `above` is true and the
   * sender should pause, at half of it (low watermark) false and it may go on.
   */
  onWatermark?(direction: "request" | "response", above: boolean): void;
}

/** Where a stream is: running, answered locally, reset, or finished (`complete()` ran). */
export type HttpStreamState = "active" | "localReply" | "reset" | "completed";

/** The last stream callback: what the module returned and what Envoy made of it. */
export interface CallbackStatus {
  callback: string;
  /** The module's return value; undefined if not exported, "failed" after a trap. */
  raw: number | undefined | "failed";
  /** Envoy's status name, e.g. "StopAllIterationAndWatermark". */
  status: string;
  action: Action;
}

export interface StreamOptions {
  endOfStream?: boolean;
}

/**
 * Held bytes followed by the current chunk, as one buffer. Both belong to the stream (nothing
 * else references them once they are replaced), so when one is empty the other is the result.
 */
function joinHeld(held: Buffer, current: Buffer): Buffer {
  if (current.length === 0) return held.length === 0 ? Buffer.alloc(0) : held;
  if (held.length === 0) return current;
  return Buffer.concat([held, current]);
}

/**
 * The response headers of a local reply, as Envoy's `Utility::prepareLocalReply` makes them:
 * `:status`, then the filter's headers; with a body, content-length set to its size and
 * content-type `text/plain` only when the filter set none; without a body, neither.
 */
export function localReplyHeaders(r: LocalResponse): HeaderMap {
  const headers = new HeaderMap([[":status", String(r.status)]]);
  for (const [k, v] of r.headers) headers.add(k, v);
  headers.remove("content-length");
  if (r.body.length > 0) {
    headers.set("content-length", String(r.body.length));
    if (!headers.has("content-type")) headers.set("content-type", "text/plain");
  } else headers.remove("content-type");
  return headers;
}

export class HttpContext extends Context {
  readonly kind = "http" as const;
  /** The request as the filter left it: headers, trailers, forwarded body. */
  readonly request = new HttpMessage("request");
  /** The response as the filter left it. */
  readonly response = new HttpMessage("response");
  /** The local reply the filter sent (or the fail-closed 503), else null. */
  sentLocalResponse: LocalResponse | null = null;
  state: HttpStreamState = "active";
  /** Response code details of a reset (`wasm_close_stream`). */
  resetDetails: string | null = null;
  /** The last stream callback's outcome. */
  lastStatus: CallbackStatus | null = null;
  /** Start of the stream on the virtual clock (property `request.time`). */
  readonly startTime: number;
  /** Value of the property `request.protocol`. */
  protocol = "HTTP/1.1";

  private pendingLocalReply: LocalResponse | null = null;
  private replying = false;
  private streamFailed = false;
  private logPhase = false;
  private readonly filterStates = new Map<string, Buffer>();

  constructor(
    readonly root: RootContext,
    private readonly listener: HttpStreamListener = {},
  ) {
    // Envoy allocates the id when the filter is created; proxy_on_context_create runs lazily.
    super(root.vm, root.vm.allocContextId());
    this.startTime = root.host.clock.now();
    const retain = root.host.retainForwardedBody;
    this.request.retainBody = retain;
    this.response.retainBody = retain;
  }

  private get host() {
    return this.root.host;
  }

  /** The Action of the last stream callback (proxytest GetCurrentHttpStreamAction). */
  get action(): Action | undefined {
    return this.lastStatus?.action;
  }

  // ---- the test / proxy side --------------------------------------------------------------

  /** Request headers arrive (Envoy decodeHeaders). Returns the filter's Action. */
  requestHeaders(headers: HeadersInit, options: StreamOptions = {}): Action {
    return this.receiveHeaders(this.request, headers, options.endOfStream ?? false);
  }

  /** A request body chunk arrives (Envoy decodeData). */
  requestBody(chunk: string | Uint8Array, options: StreamOptions = {}): Action {
    return this.receiveData(this.request, chunk, options.endOfStream ?? false);
  }

  /** Request trailers arrive (they end the request). */
  requestTrailers(trailers: HeadersInit): Action {
    return this.receiveTrailers(this.request, trailers);
  }

  responseHeaders(headers: HeadersInit, options: StreamOptions = {}): Action {
    return this.receiveHeaders(this.response, headers, options.endOfStream ?? false);
  }

  responseBody(chunk: string | Uint8Array, options: StreamOptions = {}): Action {
    return this.receiveData(this.response, chunk, options.endOfStream ?? false);
  }

  responseTrailers(trailers: HeadersInit): Action {
    return this.receiveTrailers(this.response, trailers);
  }

  /** The stream is over: proxy_on_log → proxy_on_done → proxy_on_delete (Envoy's HTTP order). */
  complete(): void {
    if (this.state === "completed") return;
    this.host.run(() => {
      const vm = this.vm;
      // Envoy `Context::log`: a filter that never saw headers is created first.
      this.ensureCreated();
      this.logPhase = true;
      vm.call(this, "proxy_on_log", this.id);
      this.logPhase = false;
      vm.call(this, "proxy_on_done", this.id); // the result is ignored for streams
      vm.call(this, "proxy_on_delete", this.id);
      vm.contexts.delete(this.id);
      this.state = "completed";
    });
  }

  /** Sets a property seen only by this stream (e.g. `source.address`). */
  setProperty(path: string | string[], value: PropertyValue): void {
    this.localProperties.set(path, value);
  }

  /** Filter state written by proxy_set_property, by key (`wasm.<name>`). */
  filterState(key: string): Buffer | undefined {
    return this.filterStates.get(key);
  }

  // ---- pipeline -----------------------------------------------------------------------

  private assertActive(side: HttpMessage, what: string): void {
    if (this.state === "completed") throw new Error(`HTTP context ${this.id} is completed`);
    if (side.ended || side.trailersMap !== null)
      throw new Error(`${side.direction} ${what} after the end of the ${side.direction}`);
  }

  private receiveHeaders(side: HttpMessage, init: HeadersInit, eos: boolean): Action {
    if (this.isOver()) return Action.Pause;
    if (side.headersReceived) throw new Error(`${side.direction} headers were already received`);
    this.assertActive(side, "headers");
    return this.deliverNow(side, () => {
      side.headersReceived = true;
      side.headersMap = new HeaderMap(init);
      side.headersEos = eos;
      side.queue.push({ kind: "headers", eos });
    });
  }

  /**
   * After a local reply or a reset Envoy calls no filter of the stream again: later events are
   * ignored and answered with Pause.
   */
  private isOver(): boolean {
    if (this.state === "completed") throw new Error(`HTTP context ${this.id} is completed`);
    return this.state === "localReply" || this.state === "reset";
  }

  private receiveData(side: HttpMessage, input: string | Uint8Array, eos: boolean): Action {
    // The caller's bytes are used in place while this call runs: a filter that rewrites the
    // chunk never needs the copy. Whatever outlives the call (forwarded, or still queued) is
    // copied, so later changes to the caller's array cannot reach the stream.
    const borrowed = input instanceof Uint8Array;
    const chunk = borrowed
      ? Buffer.from(input.buffer, input.byteOffset, input.byteLength)
      : Buffer.from(input, "utf8");
    if (this.isOver()) return Action.Pause;
    if (!side.headersReceived)
      throw new Error(`${side.direction} body before ${side.direction} headers`);
    if (side.headersEos) throw new Error(`${side.direction} body after headers with end_of_stream`);
    this.assertActive(side, "body");
    if (side.queue.some((e) => e.kind === "data" && e.eos) || side.lastBodyEos)
      throw new Error(`${side.direction} body after end_of_stream`);
    side.bytesReceived += chunk.length;
    const enqueue = () => {
      side.queue.push({ kind: "data", chunk, eos });
      side.queuedBytes += chunk.length;
    };
    if (!borrowed) return this.deliverNow(side, enqueue);
    side.borrowed.push(chunk);
    try {
      return this.deliverNow(side, enqueue);
    } finally {
      side.borrowed.splice(side.borrowed.lastIndexOf(chunk), 1);
      for (const ev of side.queue)
        if (ev.kind === "data" && ev.chunk === chunk) ev.chunk = Buffer.from(chunk);
    }
  }

  private receiveTrailers(side: HttpMessage, init: HeadersInit): Action {
    if (this.isOver()) return Action.Pause;
    if (!side.headersReceived)
      throw new Error(`${side.direction} trailers before ${side.direction} headers`);
    this.assertActive(side, "trailers");
    return this.deliverNow(side, () => {
      side.trailersMap = new HeaderMap(init);
      side.queue.push({ kind: "trailers" });
    });
  }

  /**
   * Queues an event and delivers what can be delivered. `lastStatus` stays the one of this
   * event's callback, whatever deferred actions (a local reply's response callbacks) run after.
   */
  private deliverNow(side: HttpMessage, enqueue: () => void): Action {
    let status: CallbackStatus | null = null;
    const action = this.host.run(() => {
      enqueue();
      const before = this.lastStatus;
      const a = this.pump(side);
      status = this.lastStatus === before ? null : this.lastStatus;
      return a;
    });
    if (status) this.lastStatus = status;
    return action;
  }

  private canDeliver(side: HttpMessage): boolean {
    const open = this.state === "active" || (this.replying && side === this.response);
    return open && side.pause !== "headers-all" && side.pause !== "trailers";
  }

  /** Delivers queued events while the direction is not stopped; the last one's Action, else Pause. */
  private pump(side: HttpMessage): Action {
    let action: Action = Action.Pause;
    while (side.queue.length > 0 && this.canDeliver(side)) {
      const ev = side.queue.shift()!;
      if (ev.kind === "data") {
        // Data queued while the filter was stopped reaches it as one buffer (Envoy buffers it).
        const parts = [ev.chunk];
        let eos = ev.eos;
        side.queuedBytes -= ev.chunk.length;
        while (side.queue[0]?.kind === "data") {
          const next = side.queue.shift() as Extract<StreamEvent, { kind: "data" }>;
          parts.push(next.chunk);
          side.queuedBytes -= next.chunk.length;
          eos = next.eos;
        }
        // A lone chunk needs no copy: it is the stream's own, or borrowed (see receiveData).
        action = this.deliverData(side, parts.length === 1 ? parts[0] : Buffer.concat(parts), eos);
      } else if (ev.kind === "headers") action = this.deliverHeaders(side, ev.eos);
      else action = this.deliverTrailers(side);
    }
    if (side.queue.length > 0) action = Action.Pause;
    this.checkWatermark(side);
    return action;
  }

  /**
   * Envoy's buffer limit (FilterManager requestDataTooLarge / responseDataTooLarge) on what waits
   * for the filter: the body queued behind stopped headers, or held by a body callback. A
   * streaming stop (StopAllIterationAndWatermark headers, StopIterationAndWatermark body) pauses
   * the sender past the limit (onWatermark) and resumes it at half of it; a buffering one
   * (StopAllIterationAndBuffer headers here, StopIterationAndBuffer body in deliverData) gets
   * 413 (request) or 500 (response) instead.
   */
  private checkWatermark(side: HttpMessage): void {
    const limit = this.host.bufferLimit;
    const held =
      side.pause === "headers-all"
        ? side.queuedBytes
        : side.pause === "body" && !side.buffering
          ? side.heldBytes.length
          : 0;
    if (held > limit && this.state === "active") {
      if (side.pause === "headers-all" && side.stopAllBuffer) this.bufferOverflow(side);
      else if (!side.aboveWatermark) {
        side.aboveWatermark = true;
        this.listener.onWatermark?.(side.direction, true);
      }
    } else if (side.aboveWatermark && (held <= limit / 2 || this.state !== "active")) {
      side.aboveWatermark = false;
      this.listener.onWatermark?.(side.direction, false);
    }
  }

  private ensureCreated(): void {
    if (this.created) return;
    this.created = true;
    this.vm.contexts.set(this.id, this);
    this.vm.call(this, "proxy_on_context_create", this.id, this.root.id);
  }

  private deliverHeaders(side: HttpMessage, eos: boolean): Action {
    this.ensureCreated();
    const name = side === this.request ? "proxy_on_request_headers" : "proxy_on_response_headers";
    side.headersLive = true;
    const n = side.headersMap!.size;
    const raw =
      this.vm.abiVersion === "0.1.0"
        ? this.vm.call(this, name, this.id, n)
        : this.vm.call(this, name, this.id, n, eos ? 1 : 0);
    const status = this.headersStatus(raw);
    const action = this.record(
      name,
      raw,
      FilterHeadersStatus[status],
      status === FilterHeadersStatus.Continue,
    );
    if (status === FilterHeadersStatus.Continue) {
      side.headersLive = false;
      this.forwardHeaders(side);
    } else {
      side.pause = status === FilterHeadersStatus.StopIteration ? "headers" : "headers-all";
      side.stopAllBuffer = status === FilterHeadersStatus.StopAllIterationAndBuffer;
    }
    return action;
  }

  private deliverData(side: HttpMessage, chunk: Buffer, eos: boolean): Action {
    const name = side === this.request ? "proxy_on_request_body" : "proxy_on_response_body";
    const wasBuffering = side.buffering;
    if (wasBuffering) side.heldBytes.append(chunk);
    else side.current = chunk;
    side.lastBodyEos = eos;
    side.inBody = { eos };
    const size = wasBuffering ? side.heldBytes.length : chunk.length;
    const raw = this.vm.call(this, name, this.id, size, eos ? 1 : 0);
    side.inBody = null;
    const status = this.dataStatus(raw);
    const action = this.record(
      name,
      raw,
      FilterDataStatus[status],
      status === FilterDataStatus.Continue,
    );
    side.buffering = false;
    const current = side.current ?? Buffer.alloc(0);
    switch (status) {
      case FilterDataStatus.Continue: {
        side.pause = "none";
        side.current = null;
        const out = joinHeld(side.heldBytes.take(), current);
        this.forwardHeaders(side);
        this.forwardBody(side, out, eos && !side.trailersAdded);
        if (eos && side.trailersAdded) this.forwardTrailers(side);
        break;
      }
      case FilterDataStatus.StopIterationAndBuffer:
      case FilterDataStatus.StopIterationAndWatermark:
        // Copied in: `current` may be the caller's borrowed array (see receiveData).
        side.heldBytes.append(current);
        side.current = null;
        side.buffering = status === FilterDataStatus.StopIterationAndBuffer;
        side.pause = "body";
        // Past the limit, buffering gets Envoy's 413/500; a watermark stop pauses the sender
        // instead (checkWatermark, after the callback).
        if (side.buffering && side.heldBytes.length > this.host.bufferLimit)
          this.bufferOverflow(side);
        break;
      default:
        // StopIterationNoBuffer: Envoy keeps nothing; the chunk is not passed on later.
        side.current = null;
        side.pause = "body";
        break;
    }
    return action;
  }

  private deliverTrailers(side: HttpMessage): Action {
    const name = side === this.request ? "proxy_on_request_trailers" : "proxy_on_response_trailers";
    side.trailersLive = true;
    const raw = this.vm.call(this, name, this.id, side.trailersMap!.size);
    const status = this.trailersStatus(raw);
    const action = this.record(
      name,
      raw,
      FilterTrailersStatus[status],
      status === FilterTrailersStatus.Continue,
    );
    if (status === FilterTrailersStatus.Continue) {
      side.trailersLive = false;
      side.pause = "none";
      this.forwardHeaders(side);
      this.flushHeld(side, false);
      this.forwardTrailers(side);
    } else side.pause = "trailers";
    return action;
  }

  private record(callback: string, raw: CallResult, status: string, cont: boolean): Action {
    const action = cont ? Action.Continue : Action.Pause;
    this.lastStatus = { callback, raw: raw === FAILED ? "failed" : raw, status, action };
    return action;
  }

  // cpp-host convertVmCallResultToFilterHeadersStatus + Envoy convertFilterHeadersStatus.
  private headersStatus(raw: CallResult): FilterHeadersStatus {
    if (raw === FAILED)
      return this.failed()
        ? FilterHeadersStatus.StopAllIterationAndWatermark
        : FilterHeadersStatus.Continue;
    if (this.consumeStop()) return FilterHeadersStatus.StopAllIterationAndWatermark;
    if (raw === undefined || raw === 0 || raw === 2) return FilterHeadersStatus.Continue;
    if (raw === 1)
      return this.root.allowOnHeadersStopIteration
        ? FilterHeadersStatus.StopIteration
        : FilterHeadersStatus.StopAllIterationAndWatermark;
    if (raw === 3) return FilterHeadersStatus.StopAllIterationAndBuffer;
    return FilterHeadersStatus.StopAllIterationAndWatermark;
  }

  private dataStatus(raw: CallResult): FilterDataStatus {
    if (raw === FAILED)
      return this.failed() ? FilterDataStatus.StopIterationNoBuffer : FilterDataStatus.Continue;
    if (this.consumeStop()) return FilterDataStatus.StopIterationNoBuffer;
    if (raw === undefined) return FilterDataStatus.Continue;
    return Math.min(raw, 3) as FilterDataStatus;
  }

  private trailersStatus(raw: CallResult): FilterTrailersStatus {
    if (raw === FAILED)
      return this.failed() ? FilterTrailersStatus.StopIteration : FilterTrailersStatus.Continue;
    if (this.consumeStop()) return FilterTrailersStatus.StopIteration;
    if (raw === undefined || raw === 0) return FilterTrailersStatus.Continue;
    return FilterTrailersStatus.StopIteration;
  }

  private consumeStop(): boolean {
    const s = this.stopNextIteration;
    this.stopNextIteration = false;
    return s;
  }

  /**
   * The VM is failed (cpp-host CHECK_FAIL_HTTP). Fail-open: true means carry on. Fail-closed:
   * Envoy `Context::failStream` sends 503 with details `wasm_fail_stream`, once per stream.
   */
  private failed(): boolean {
    if (this.root.failOpen) return false;
    if (!this.streamFailed) {
      this.streamFailed = true;
      this.pendingLocalReply = {
        status: 503,
        body: Buffer.alloc(0),
        headers: [],
        details: "wasm_fail_stream",
        grpcStatus: GrpcStatus.Unavailable,
      };
      this.vm.addAfterCallAction(() => this.applyLocalReply());
      this.host.keepActions(this.vm); // the VM may have been removed (dev proxy reload)
    }
    return true;
  }

  /** Envoy's own reply when a buffered body passes the buffer limit (FilterManager). */
  private bufferOverflow(side: HttpMessage): void {
    if (this.pendingLocalReply || this.state !== "active") return;
    const request = side === this.request;
    this.pendingLocalReply = {
      status: request ? 413 : 500,
      body: Buffer.from(request ? "Payload Too Large" : "Internal Server Error"),
      headers: [],
      details: request ? "request_payload_too_large" : "response_payload_too_large",
      grpcStatus: null,
    };
    this.vm.addAfterCallAction(() => this.applyLocalReply());
  }

  private forwardHeaders(side: HttpMessage): void {
    if (side.headersForwarded) return;
    side.headersForwarded = true;
    if (side.headersEos) side.ended = true;
    if (side === this.request) this.listener.onRequestHeaders?.(side.headersMap!, side.headersEos);
    else this.listener.onResponseHeaders?.(side.headersMap!, side.headersEos);
  }

  private forwardBody(side: HttpMessage, data: Buffer, eos: boolean): void {
    if (data.length === 0 && !eos) return;
    if (side.borrowed.length !== 0 && side.borrowed.includes(data)) data = Buffer.from(data);
    side.pushChunk(data);
    if (eos) side.ended = true;
    if (side === this.request) this.listener.onRequestBody?.(data, eos);
    else this.listener.onResponseBody?.(data, eos);
  }

  private forwardTrailers(side: HttpMessage): void {
    if (side.trailersForwarded || !side.trailersMap) return;
    side.trailersForwarded = true;
    side.ended = true;
    if (side === this.request) this.listener.onRequestTrailers?.(side.trailersMap);
    else this.listener.onResponseTrailers?.(side.trailersMap);
  }

  private flushHeld(side: HttpMessage, eos: boolean): void {
    const out = joinHeld(side.heldBytes.take(), side.current ?? Buffer.alloc(0));
    side.current = null;
    side.buffering = false;
    if (out.length > 0 || eos) this.forwardBody(side, out, eos);
  }

  /** Envoy continueDecoding / continueEncoding: pass on what was stopped, then what queued. */
  private resume(side: HttpMessage): void {
    if (this.state !== "active" || side.pause === "none") return;
    const was = side.pause;
    side.pause = "none";
    this.forwardHeaders(side);
    if (was === "body") {
      const eos = side.lastBodyEos && !side.trailersMap && side.queue.length === 0;
      this.flushHeld(side, eos);
      if (side.lastBodyEos && side.trailersAdded) this.forwardTrailers(side);
    } else if (was === "trailers") {
      this.flushHeld(side, false);
      this.forwardTrailers(side);
    }
    this.pump(side);
  }

  private applyLocalReply(): void {
    const r = this.pendingLocalReply;
    this.pendingLocalReply = null;
    this.stopNextIteration = false;
    if (!r || this.state !== "active") return;
    this.sentLocalResponse = r;
    this.state = "localReply";
    this.request.queue.length = 0;
    this.request.queuedBytes = 0;
    this.checkWatermark(this.request);
    this.listener.onLocalReply?.(r);
    const res = this.response;
    if (res.headersForwarded) {
      // Too late for a reply: Envoy resets the stream.
      this.resetDetails = r.details;
      this.listener.onReset?.(r.details);
      return;
    }
    const headers = localReplyHeaders(r);
    // Envoy FilterManager::sendLocalReply: once the upstream response has arrived the reply
    // replaces it directly (sendDirectLocalReply), without running the encoder filters.
    const direct = res.headersReceived;
    res.headersReceived = true;
    res.headersMap = headers;
    res.headersEos = r.body.length === 0;
    res.queue.length = 0;
    res.queuedBytes = 0;
    this.checkWatermark(res);
    res.pause = "none";
    res.heldBytes.clear();
    res.current = null;
    res.buffering = false;
    res.trailersMap = null;
    if (direct || this.vm.failed || !this.host.localReplyThroughFilter) {
      this.forwardHeaders(res);
      if (r.body.length) this.forwardBody(res, r.body, true);
      return;
    }
    // The reply goes through the encoder filters, this one included (Envoy FilterManager
    // sendLocalReplyViaFilterChain), then out whatever the filter answered.
    this.replying = true;
    try {
      res.queue.push({ kind: "headers", eos: res.headersEos });
      // A copy, so that the body the filter may forward is not `sentLocalResponse.body` itself.
      if (r.body.length) {
        res.queue.push({ kind: "data", chunk: Buffer.from(r.body), eos: true });
        res.queuedBytes += r.body.length;
      }
      this.pump(res);
    } finally {
      this.replying = false;
    }
    res.queue.length = 0;
    res.queuedBytes = 0;
    res.pause = "none";
    this.forwardHeaders(res);
    this.flushHeld(res, !res.ended);
  }

  // ---- hostcall hooks -----------------------------------------------------------------

  override getMap(type: number): MapAccess | undefined {
    if (type > HeaderMapType.HttpResponseTrailers) return super.getMap(type);
    if (this.logPhase) {
      // Envoy Context::log: request/response headers and response trailers are readable again.
      const map =
        type === HeaderMapType.HttpRequestHeaders
          ? this.request.headersMap
          : type === HeaderMapType.HttpResponseHeaders
            ? this.response.headersMap
            : type === HeaderMapType.HttpResponseTrailers
              ? this.response.trailersMap
              : null;
      return { map, readOnly: true, logPhase: true };
    }
    const side = type < HeaderMapType.HttpResponseHeaders ? this.request : this.response;
    if (type === HeaderMapType.HttpRequestHeaders || type === HeaderMapType.HttpResponseHeaders) {
      return { map: side.headersLive ? side.headersMap : null };
    }
    if (side.trailersLive) return { map: side.trailersMap };
    // Envoy getMap: trailers can be added from the end_of_stream body callback.
    if (side.inBody?.eos && !side.trailersMap) {
      return {
        map: null,
        create: () => {
          side.trailersMap = new HeaderMap();
          side.trailersAdded = true;
          side.trailersLive = true;
          return side.trailersMap;
        },
      };
    }
    return { map: null };
  }

  override getBuffer(type: number): BufferAccess | null | undefined {
    if (type === 0 || type === 1) {
      const side = type === 0 ? this.request : this.response;
      if (side.buffering)
        return { get: () => side.heldBytes.bytes(), set: (d) => side.heldBytes.replace(d) };
      if (side.current) return { get: () => side.current!, set: (d) => (side.current = d) };
      return null;
    }
    return super.getBuffer(type);
  }

  override sendLocalResponse(r: LocalResponse): WasmResult {
    if (this.state !== "active" || this.pendingLocalReply) return WasmResult.Ok;
    this.pendingLocalReply = r;
    this.stopNextIteration = true;
    this.vm.addAfterCallAction(() => this.applyLocalReply());
    return WasmResult.Ok;
  }

  override continueStream(type: number): WasmResult {
    if (type === StreamType.HttpRequest || type === StreamType.HttpResponse) {
      const side = type === StreamType.HttpRequest ? this.request : this.response;
      this.vm.addAfterCallAction(() => this.resume(side));
      return WasmResult.Ok;
    }
    return super.continueStream(type);
  }

  override closeStream(type: number): WasmResult {
    if (type === StreamType.HttpRequest || type === StreamType.HttpResponse) {
      this.vm.addAfterCallAction(() => {
        if (this.state !== "active") return;
        this.state = "reset";
        this.resetDetails = "wasm_close_stream";
        this.checkWatermark(this.request);
        this.checkWatermark(this.response);
        this.listener.onReset?.(this.resetDetails);
      });
      return WasmResult.Ok;
    }
    return super.closeStream(type);
  }

  override setFilterState(key: string, value: Buffer): WasmResult {
    this.filterStates.set(key, value);
    return WasmResult.Ok;
  }

  override filterStateValue(key: string): Buffer | undefined {
    return this.filterStates.get(key);
  }

  private totalSize(side: HttpMessage, forwarded = false): number {
    const body = forwarded ? side.bodyBytesForwarded : side.bytesReceived;
    return (side.headersMap?.byteSize() ?? 0) + body + (side.trailersMap?.byteSize() ?? 0);
  }

  /** Envoy expr `context.cc`: request.* from the request headers while they are readable. */
  override derivedProperty(segs: string[]): PropertyValue | undefined {
    const [top, name, ...rest] = segs;
    if (top === "request") {
      if (rest.length === 0) {
        if (name === "time") return new Date(this.startTime);
        if (name === "protocol") return this.protocol;
        // Stream info: body bytes received, and with headers and trailers.
        if (name === "size") return this.request.bytesReceived;
        if (name === "total_size") return this.totalSize(this.request);
        if (name === "duration" && this.logPhase)
          return TypedValue.durationNanos(toNanos(this.host.clock.now() - this.startTime));
      }
      const h = this.logPhase || this.request.headersLive ? this.request.headersMap : null;
      if (!h) return undefined;
      const path = h.get(":path") ?? "";
      const q = path.indexOf("?");
      const fields: Record<string, string | undefined> = {
        path: h.get(":path"),
        url_path: q < 0 ? path : path.slice(0, q),
        host: h.get(":authority") ?? h.get("host"),
        scheme: h.get(":scheme"),
        method: h.get(":method"),
        referer: h.get("referer"),
        useragent: h.get("user-agent"),
        id: h.get("x-request-id"),
        query: q < 0 ? "" : path.slice(q + 1),
      };
      if (name === "headers") return traverse(h.toObject(), rest);
      if (rest.length === 0 && name in fields) return fields[name];
      return undefined;
    }
    if (top === "response") {
      const res = this.response;
      const status = res.headersMap?.get(":status");
      if (name === "code" && rest.length === 0)
        return status === undefined ? undefined : Number(status);
      if (name === "size" && rest.length === 0) return res.bodyBytesForwarded;
      if (name === "total_size" && rest.length === 0) return this.totalSize(res, true);
      if (name === "grpc_status" && rest.length === 0) {
        const g = res.trailersMap?.get("grpc-status") ?? res.headersMap?.get("grpc-status");
        return g === undefined ? undefined : Number(g);
      }
      if (name === "flags" && rest.length === 0) return 0;
      if (name === "code_details" && rest.length === 0) {
        if (this.sentLocalResponse) return this.sentLocalResponse.details;
        return this.resetDetails ?? (status === undefined ? undefined : "via_upstream");
      }
      const readable = this.logPhase || res.headersLive;
      if (name === "headers" && readable && res.headersMap)
        return traverse(res.headersMap.toObject(), rest);
      if (name === "trailers" && (this.logPhase || res.trailersLive) && res.trailersMap)
        return traverse(res.trailersMap.toObject(), rest);
      return undefined;
    }
    return undefined;
  }
}
