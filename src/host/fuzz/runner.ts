// Plays one story on a host the way Envoy would deliver it, and checks after every call: no
// trap, no error log, valid headers and local replies; at the end every stream must have ended.
import { LogLevel } from "../enums.js";
import type { Host } from "../host.js";
import type { HttpContext } from "../http_context.js";
import type { LogEntry } from "../logs.js";
import type { RootContext } from "../root_context.js";
import type { TcpContext } from "../tcp_context.js";
import {
  headerProblems,
  localReplyProblems,
  requestHeaderProblems,
  responseHeaderProblems,
} from "./checks.js";
import { httpFrames, tcpFrames, type CalloutReply, type HostEvent, type Story } from "./story.js";
import type { HttpFrame, TcpFrame } from "./story.js";
import { play, type StreamHandle, type TraceStep } from "./trace.js";

/** Which check a run failed. */
export type FuzzCheck =
  "trap" | "error-log" | "invalid-output" | "stuck-stream" | "memory-growth" | "invariant";

export interface Problem {
  check: FuzzCheck;
  message: string;
}

/** Where a fuzz host sends its log lines: to the run in progress. */
export class LogSink {
  current: ((entry: LogEntry) => void) | null = null;
  readonly onLog = (entry: LogEntry): void => this.current?.(entry);
}

/** Which error and critical lines a filter may log (true: all). */
export type AllowedErrors = boolean | (string | RegExp)[];

export function errorAllowed(allow: AllowedErrors, message: string): boolean {
  if (allow === true) return true;
  if (allow === false) return false;
  return allow.some((p) => (typeof p === "string" ? message.includes(p) : p.test(message)));
}

interface Tracked {
  frames: (HttpFrame | TcpFrame)[];
  next: number;
  finished: boolean;
  /** Envoy stopped reading this side: the filter held more than the buffer limit. */
  above: { request: boolean; response: boolean };
}

/** Bounds of the end of a run, where pending work is answered and timers fire. */
const DRAIN_ROUNDS = 2000;
const DRAIN_TICKS = 50;

const EMPTY = new Uint8Array(0);
/** How a callout is answered when the story has no answer left. */
const OK: CalloutReply = { status: 200, headers: [], body: EMPTY, trailers: [] };

export class StoryRun {
  /** The calls made, in order (what a reproducing test makes). */
  readonly trace: TraceStep[] = [];
  readonly streams = new Map<number, StreamHandle>();
  problem: Problem | null = null;
  private readonly tracked: Tracked[];
  private readonly found: Problem[] = [];
  private readonly seen = new WeakSet<object>();

  constructor(
    readonly host: Host,
    readonly plugin: RootContext,
    readonly story: Story,
    private readonly sink: LogSink,
    private readonly allowErrors: AllowedErrors,
  ) {
    this.tracked = story.streams.map((s) => ({
      frames: story.type === "http" ? httpFrames(s as never) : tcpFrames(s as never),
      next: 0,
      finished: false,
      above: { request: false, response: false },
    }));
  }

  /** Plays the schedule, then what is left; `problem` says what failed, if anything did. */
  run(): Problem | null {
    this.sink.current = (e) => {
      if (
        e.source === "plugin" &&
        e.level >= LogLevel.Error &&
        !errorAllowed(this.allowErrors, e.message)
      )
        this.found.push({
          check: "error-log",
          message: `the filter logged at ${LogLevel[e.level].toLowerCase()} level: ${e.message}`,
        });
    };
    try {
      for (const item of this.story.schedule) {
        if (this.problem) break;
        if (typeof item === "number") this.advance(item % this.tracked.length);
        else this.hostEvent(item);
      }
      if (!this.problem) this.drain();
      if (!this.problem) this.checkEnded();
    } finally {
      this.sink.current = null;
    }
    return this.problem;
  }

  private exec(step: TraceStep): void {
    if (this.problem) return;
    this.trace.push(step);
    play(this.host, this.plugin, this.streams, step, (i) => this.listener(i));
    this.check();
  }

  private check(): void {
    const vm = this.plugin.vm;
    if (vm.failed) {
      this.problem = { check: "trap", message: vm.trap?.message ?? vm.failure ?? "trapped" };
      return;
    }
    for (const c of this.host.calloutStore.pending) {
      if (this.seen.has(c)) continue;
      this.seen.add(c);
      for (const m of headerProblems("http callout headers", c.headers, true))
        this.found.push({ check: "invalid-output", message: m });
      for (const m of headerProblems("http callout trailers", c.trailers, false))
        this.found.push({ check: "invalid-output", message: m });
    }
    for (const g of this.host.grpcStore.pending) {
      if (this.seen.has(g)) continue;
      this.seen.add(g);
      for (const m of headerProblems("gRPC initial metadata", g.initialMetadata, false))
        this.found.push({ check: "invalid-output", message: m });
    }
    if (this.found.length) this.problem = this.found[0];
  }

  private listener(i: number) {
    const found = (list: string[]) => {
      for (const message of list) this.found.push({ check: "invalid-output", message });
    };
    const t = this.tracked[i];
    return {
      onRequestHeaders: (h: Parameters<typeof requestHeaderProblems>[0]) =>
        found(requestHeaderProblems(h)),
      onResponseHeaders: (h: Parameters<typeof responseHeaderProblems>[0]) =>
        found(responseHeaderProblems(h)),
      onRequestTrailers: (h: Iterable<[string, string]>) =>
        found(headerProblems("request trailers", h, false)),
      onResponseTrailers: (h: Iterable<[string, string]>) =>
        found(headerProblems("response trailers", h, false)),
      onLocalReply: (r: Parameters<typeof localReplyProblems>[0]) => found(localReplyProblems(r)),
      onWatermark: (direction: "request" | "response", above: boolean) =>
        (t.above[direction] = above),
    };
  }

  /** Lets stream `i` take its next frame if Envoy could send it now; true if anything happened. */
  private advance(i: number): boolean {
    return this.story.type === "http" ? this.advanceHttp(i) : this.advanceTcp(i);
  }

  private finish(i: number): void {
    const t = this.tracked[i];
    t.finished = true;
    if (this.streams.has(i)) this.exec({ call: "complete", stream: i });
  }

  private advanceHttp(i: number): boolean {
    const t = this.tracked[i];
    if (t.finished) return false;
    const http = this.streams.get(i) as HttpContext | undefined;
    if (http && http.state !== "active") {
      // A local reply or a reset by the filter: Envoy calls the stream no more; it ends.
      this.finish(i);
      return true;
    }
    const f = t.frames[t.next] as HttpFrame | undefined;
    if (!f) {
      if (http && http.request.ended && http.response.ended) {
        this.finish(i);
        return true;
      }
      return false;
    }
    if (f.kind === "reset") {
      t.next++;
      this.finish(i);
      return true;
    }
    const response = f.kind.startsWith("response");
    // The upstream answers only what reached it; a side past the buffer limit is not read.
    if (response && !http?.request.headersForwarded) return false;
    if (f.kind.endsWith("Body") && t.above[response ? "response" : "request"]) return false;
    if (!http) this.exec({ call: "newHttpContext", stream: i });
    t.next++;
    if (f.kind === "requestHeaders" || f.kind === "responseHeaders")
      this.exec({ call: f.kind, stream: i, headers: f.headers, eos: f.eos });
    else if (f.kind === "requestBody" || f.kind === "responseBody")
      this.exec({ call: f.kind, stream: i, chunk: f.chunk, eos: f.eos });
    else if (f.kind === "requestTrailers" || f.kind === "responseTrailers")
      this.exec({ call: f.kind, stream: i, trailers: f.trailers });
    return true;
  }

  private advanceTcp(i: number): boolean {
    const t = this.tracked[i];
    if (t.finished) return false;
    let tcp = this.streams.get(i) as TcpContext | undefined;
    if (!tcp) {
      this.exec({ call: "newTcpContext", stream: i });
      tcp = this.streams.get(i) as TcpContext | undefined;
      if (!tcp) return true; // the call failed (a trap): the problem says so
    }
    const f = t.frames[t.next] as TcpFrame | undefined;
    if (!f) {
      this.finish(i);
      return true;
    }
    t.next++;
    if (f.kind === "downstreamData" || f.kind === "upstreamData") {
      // Once closed (by the filter, say), no more bytes arrive.
      if (tcp.state === "open") this.exec({ call: f.kind, stream: i, chunk: f.chunk, eos: f.eos });
    } else if (tcp.state !== "completed") {
      const close = f as Extract<TcpFrame, { peer: string }>;
      this.exec({ call: close.kind, stream: i, peer: close.peer });
    }
    return true;
  }

  private hostEvent(e: HostEvent): void {
    const host = this.host;
    switch (e.kind) {
      case "callout": {
        const answers = this.story.answers;
        this.answer(e.pick, answers.length ? answers[e.answer % answers.length] : OK);
        return;
      }
      case "grpc": {
        const pending = host.grpcStore.pending;
        if (pending.length === 0) return;
        const index = e.pick % pending.length;
        const r = e.reply;
        if (pending[index].kind === "call") {
          // A unary call ends with its message or a failure status (never OK without one).
          if (r.kind === "message")
            this.exec({ call: "respondToGrpcCall", index, message: r.message });
          else {
            const status = r.kind === "close" && r.status !== 0 ? r.status : 14;
            const message = r.kind === "close" ? r.message : "";
            this.exec({ call: "closeGrpcCall", index, status, message });
          }
          return;
        }
        if (r.kind === "message")
          this.exec({ call: "grpcStreamMessage", index, message: r.message });
        else if (r.kind === "close")
          this.exec({ call: "closeGrpcCall", index, status: r.status, message: r.message });
        else
          this.exec({
            call:
              r.kind === "initialMetadata"
                ? "grpcStreamInitialMetadata"
                : "grpcStreamTrailingMetadata",
            index,
            headers: r.headers,
          });
        return;
      }
      case "tick":
        this.exec({ call: "tick", ms: e.ms });
        return;
      case "queue": {
        const ids: number[] = [];
        for (let id = 1; host.queues.find(id); id++)
          if (host.queues.find(id)!.vmId === this.plugin.vm.vmId) ids.push(id);
        if (ids.length === 0) return;
        this.exec({ call: "enqueue", queueId: ids[e.pick % ids.length], value: e.value });
        return;
      }
    }
  }

  /** Answers pending callout `pick` (modulo their count), if there is one. */
  private answer(pick: number, reply: CalloutReply | "reset" | "timeout"): void {
    const pending = this.host.calloutStore.pending;
    if (pending.length === 0) return;
    const index = pick % pending.length;
    const c = pending[index];
    if (reply === "timeout" && c.timeoutMs > 0) {
      this.exec({ call: "tick", ms: c.timeoutMs }); // Envoy answers 504 when it passes
      return;
    }
    this.exec({ call: "respondToCallout", index, reply: reply === "timeout" ? "reset" : reply });
  }

  /**
   * The rest of the run: every frame Envoy can still send, then pending callouts answered (200)
   * and gRPC calls ended, then timers, until no stream waits or nothing is left to do.
   */
  private drain(): void {
    let ticks = 0;
    let answered = 0;
    for (let round = 0; round < DRAIN_ROUNDS && !this.problem; round++) {
      let moved = false;
      for (let i = 0; i < this.tracked.length && !this.problem; i++)
        while (!this.problem && this.advance(i)) moved = true;
      if (moved) continue;
      if (this.host.calloutStore.pending.length > 0) {
        this.answer(0, this.story.answers[answered++] ?? OK);
        continue;
      }
      const grpc = this.host.grpcStore.pending[0];
      if (grpc) {
        if (grpc.kind === "call")
          this.exec({ call: "respondToGrpcCall", index: 0, message: EMPTY });
        else this.exec({ call: "closeGrpcCall", index: 0, status: 0, message: "" });
        continue;
      }
      const waiting = this.tracked.some((t) => !t.finished);
      const timer = this.host.plugins.some((p) => p.tickPeriod > 0 && p.state !== "deleted");
      if (waiting && timer && ticks++ < DRAIN_TICKS) {
        this.exec({ call: "tick", ms: null });
        continue;
      }
      break;
    }
  }

  /** Every stream must have ended: no stream stays paused with nothing left to resume it. */
  private checkEnded(): void {
    for (let i = 0; i < this.tracked.length; i++) {
      const t = this.tracked[i];
      if (t.finished) continue;
      const s = this.streams.get(i);
      const what = this.story.type === "http" ? "stream" : "connection";
      let why = "it never ended";
      if (s && s.kind === "http") {
        const side = !s.request.ended ? s.request : s.response;
        const status = s.lastStatus;
        why =
          `its ${side.direction} stays paused` +
          (status ? ` (the last callback, ${status.callback}, returned ${status.status})` : "") +
          (side.pendingBody.length ? ` holding ${side.pendingBody.length} body bytes` : "") +
          " with no callout, gRPC call or timer left to resume it";
      }
      this.problem = { check: "stuck-stream", message: `${what} ${i + 1}: ${why}` };
      return;
    }
  }
}
