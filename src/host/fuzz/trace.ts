// The calls a fuzz run made on the host, one per step: what runner.ts plays and what
// reproduce.ts prints as a test, so the printed test makes exactly the calls that failed.
import type { Host } from "../host.js";
import type { HttpContext } from "../http_context.js";
import type { RootContext } from "../root_context.js";
import type { TcpContext } from "../tcp_context.js";
import type { HeaderList } from "./story.js";

export type TraceStep =
  | { call: "newHttpContext" | "newTcpContext"; stream: number }
  | {
      call: "requestHeaders" | "responseHeaders";
      stream: number;
      headers: HeaderList;
      eos: boolean;
    }
  | {
      call: "requestBody" | "responseBody" | "downstreamData" | "upstreamData";
      stream: number;
      chunk: Uint8Array;
      eos: boolean;
    }
  | { call: "requestTrailers" | "responseTrailers"; stream: number; trailers: HeaderList }
  | { call: "closeDownstream" | "closeUpstream"; stream: number; peer: "local" | "remote" }
  | { call: "complete"; stream: number }
  | {
      call: "respondToCallout";
      /** Index in `host.callouts` (the pending ones, oldest first). */
      index: number;
      reply:
        { status: number; headers: HeaderList; body: Uint8Array; trailers: HeaderList } | "reset";
    }
  | { call: "respondToGrpcCall" | "grpcStreamMessage"; index: number; message: Uint8Array }
  | { call: "closeGrpcCall"; index: number; status: number; message: string }
  | {
      call: "grpcStreamInitialMetadata" | "grpcStreamTrailingMetadata";
      index: number;
      headers: HeaderList;
    }
  | { call: "tick"; ms: number | null }
  | { call: "enqueue"; queueId: number; value: Uint8Array };

export type StreamHandle = HttpContext | TcpContext;

/** Makes one traced call. `streams` holds the streams made so far, by their story index. */
export function play(
  host: Host,
  plugin: RootContext,
  streams: Map<number, StreamHandle>,
  step: TraceStep,
  listen: (stream: number) => object,
): void {
  const http = (i: number) => streams.get(i) as HttpContext;
  const tcp = (i: number) => streams.get(i) as TcpContext;
  switch (step.call) {
    case "newHttpContext":
      streams.set(step.stream, plugin.newHttpContext(listen(step.stream)));
      return;
    case "newTcpContext":
      streams.set(step.stream, plugin.newTcpContext(listen(step.stream)));
      return;
    case "requestHeaders":
    case "responseHeaders":
      http(step.stream)[step.call](step.headers, { endOfStream: step.eos });
      return;
    case "requestBody":
    case "responseBody":
      http(step.stream)[step.call](step.chunk, { endOfStream: step.eos });
      return;
    case "requestTrailers":
    case "responseTrailers":
      http(step.stream)[step.call](step.trailers);
      return;
    case "downstreamData":
    case "upstreamData":
      tcp(step.stream)[step.call](step.chunk, { endOfStream: step.eos });
      return;
    case "closeDownstream":
    case "closeUpstream":
      tcp(step.stream)[step.call](step.peer);
      return;
    case "complete":
      streams.get(step.stream)!.complete();
      return;
    case "respondToCallout":
      host.respondToCallout(host.callouts[step.index], step.reply);
      return;
    case "respondToGrpcCall":
    case "grpcStreamMessage":
      host[step.call](host.grpcCalls[step.index], step.message);
      return;
    case "closeGrpcCall":
      host.closeGrpcCall(host.grpcCalls[step.index], step.status, step.message);
      return;
    case "grpcStreamInitialMetadata":
    case "grpcStreamTrailingMetadata":
      host[step.call](host.grpcCalls[step.index], step.headers);
      return;
    case "tick":
      if (step.ms === null) host.tick();
      else host.tick(step.ms);
      return;
    case "enqueue":
      host.enqueue(step.queueId, step.value);
      return;
  }
}
