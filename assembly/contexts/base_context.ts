import { proxy_set_effective_context } from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { dispatchHttpCall } from "../api/http_call";
import { Headers } from "../api/pairs";

/** What root and stream contexts share: an id, the end-of-life callbacks, callout replies. */
export class BaseContext {
  /** The id the host gave this context. */
  context_id: u32;
  /** @internal True for root (plugin) contexts; lets the dispatcher tell the kinds apart cheaply. */
  _isRoot: bool = false;
  /** @internal Set once the host deleted this context, so late callout replies are dropped. */
  _deleted: bool = false;
  /** @internal The next context in the same bucket of the context table. */
  _nextInTable: BaseContext | null = null;

  constructor(context_id: u32) {
    this.context_id = context_id;
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

  /** Makes later hostcalls act on this context (for work started from another context). */
  setEffectiveContext(): WasmResult {
    return <WasmResult>proxy_set_effective_context(this.context_id);
  }

  /**
   * Sends an HTTP request to `cluster` (an upstream cluster of the proxy; `headers` must hold
   * `:method`, `:path` and `:authority`). The reply arrives at this context's
   * `onHttpCallResponse`; a stream pauses until then and resumes with `continueRequest()`. The
   * token is `lastCallToken()`.
   */
  dispatchHttpCall(
    cluster: string,
    headers: Headers,
    body: ArrayBuffer | null,
    trailers: Headers,
    timeout_milliseconds: u32,
  ): WasmResult {
    return dispatchHttpCall(this, cluster, headers, body, trailers, timeout_milliseconds);
  }

  /**
   * The reply to an HTTP callout this context made. `num_headers` 0 means the call failed
   * (see `get_status()`). Read the reply with `http_call_response_headers` and
   * `http_call_response_body` during this callback only.
   */
  onHttpCallResponse(token: u32, num_headers: u32, body_size: usize, num_trailers: u32): void {}

  /** Initial metadata of a gRPC call or stream this context started. */
  onGrpcReceiveInitialMetadata(token: u32, num_elements: u32): void {}

  /** A gRPC message; read it with `grpc_receive_buffer`. */
  onGrpcReceive(token: u32, message_size: usize): void {}

  /** Trailing metadata of a gRPC call or stream. */
  onGrpcReceiveTrailingMetadata(token: u32, num_elements: u32): void {}

  /** The end of a gRPC call or stream; `status_code` 0 is OK (see `get_status()` for the message). */
  onGrpcClose(token: u32, status_code: u32): void {}
}
