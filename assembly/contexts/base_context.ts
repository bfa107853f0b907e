import { proxy_set_effective_context } from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { dispatchHttpCall } from "../api/http_call";
import { grpcCall, grpcStream } from "../api/grpc";
import { Headers } from "../api/pairs";
import { Result } from "../api/result";

/**
 * What root and stream contexts share: an id, the end-of-life callbacks, callouts and their
 * replies. Filters extend `RootContext`, `Context` or `TcpContext`, not this class.
 */
export class BaseContext {
  /** The id the host gave this context. */
  contextId: u32;
  /** @internal True for root (plugin) contexts; lets the dispatcher tell the kinds apart cheaply. */
  _isRoot: bool = false;
  /** @internal Set once the host deleted this context, so late callout replies are dropped. */
  _deleted: bool = false;
  /** @internal The next context in the same bucket of the context table. */
  _nextInTable: BaseContext | null = null;

  constructor(contextId: u32) {
    this.contextId = contextId;
  }

  /**
   * Called when the host is done with this context. A root context may return false to finish
   * asynchronous work first and then call `done()`; the host ignores the answer of streams.
   */
  onDone(): bool {
    return true;
  }

  /** Called last, just before the host forgets this context. */
  onDelete(): void {}

  /**
   * Makes later hostcalls act on this context (for work started from another context, such as
   * resuming a paused stream from a root's callback). Returns Ok or why not.
   */
  setEffectiveContext(): WasmResult {
    return <WasmResult>proxy_set_effective_context(this.contextId);
  }

  /**
   * Sends an HTTP request to `cluster` (an upstream cluster of the proxy; `headers` must hold
   * `:method`, `:path` and `:authority`). The reply arrives at this context's
   * `onHttpCallResponse`; a stream pauses until then and resumes with `continueRequest()`.
   * Returns the call's token, or (not `ok`) why the host refused.
   */
  dispatchHttpCall(
    cluster: string,
    headers: Headers,
    body: ArrayBuffer | null,
    trailers: Headers,
    timeoutMilliseconds: u32,
  ): Result<u32> {
    return dispatchHttpCall(this, cluster, headers, body, trailers, timeoutMilliseconds);
  }

  /**
   * Starts a unary gRPC call to `service`/`method` on `cluster`; the reply arrives at this
   * context's `onGrpcReceive` (success) or `onGrpcClose` (failure). Returns the call's token, or
   * (not `ok`) why the host refused.
   */
  dispatchGrpcCall(
    cluster: string,
    service: string,
    method: string,
    initialMetadata: Headers,
    message: ArrayBuffer,
    timeoutMilliseconds: u32,
  ): Result<u32> {
    return grpcCall(this, cluster, service, method, initialMetadata, message, timeoutMilliseconds);
  }

  /**
   * Opens a gRPC stream (send on it with `grpcSend`); its metadata, messages and close arrive at
   * this context's gRPC callbacks. Returns the stream's token, or (not `ok`) why the host
   * refused.
   */
  openGrpcStream(
    cluster: string,
    service: string,
    method: string,
    initialMetadata: Headers,
  ): Result<u32> {
    return grpcStream(this, cluster, service, method, initialMetadata);
  }

  /**
   * The reply to an HTTP callout this context made. `numHeaders` 0 means the call failed (see
   * `getCallStatus()`). Read the reply with `httpCallResponseHeaders` and `httpCallResponseBody`
   * during this callback only.
   */
  onHttpCallResponse(token: u32, numHeaders: u32, bodySize: usize, numTrailers: u32): void {}

  /** Initial metadata of a gRPC call or stream this context started (`grpcInitialMetadata`). */
  onGrpcReceiveInitialMetadata(token: u32, numElements: u32): void {}

  /** A gRPC message; read it with `grpcMessage`. */
  onGrpcReceive(token: u32, messageSize: usize): void {}

  /** Trailing metadata of a gRPC call or stream (`grpcTrailingMetadata`). */
  onGrpcReceiveTrailingMetadata(token: u32, numElements: u32): void {}

  /** The end of a gRPC call or stream; `statusCode` 0 is OK (`getCallStatus()` has the message). */
  onGrpcClose(token: u32, statusCode: u32): void {}
}
