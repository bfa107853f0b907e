import { FilterHeadersStatus, GrpcStatus, StreamType, WasmResult } from "../abi/enums";
import { grpcCall, grpcStream } from "../api/grpc";
import { Headers } from "../api/pairs";
import { RootContext } from "./root_context";
import { StreamContextBase } from "./stream_context_base";
import { close_stream, continue_stream, send_local_response } from "../api/stream";

/**
 * The context of one HTTP stream (or TCP connection). Override the callbacks you need; each
 * has a default that lets traffic through.
 *
 * ```ts
 * class AddHeader extends Context {
 *   onResponseHeaders(headers: u32, end_of_stream: bool): FilterHeadersStatus {
 *     stream_context.headers.response.add("hello", "world!");
 *     return FilterHeadersStatus.Continue;
 *   }
 * }
 * ```
 */
export class Context extends StreamContextBase {
  /** The root context that created this stream. */
  root_context: RootContext;

  constructor(context_id: u32, root_context: RootContext) {
    super(context_id);
    this.root_context = root_context;
  }

  /** The request headers arrived; use `stream_context.headers.request`. */
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    return FilterHeadersStatus.Continue;
  }

  /** The response headers arrived; use `stream_context.headers.response`. */
  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    return FilterHeadersStatus.Continue;
  }

  /** Resumes a request paused by a callback's Stop answer. */
  continueRequest(): WasmResult {
    return continue_stream(StreamType.HttpRequest);
  }

  /** Resumes a response paused by a callback's Stop answer. */
  continueResponse(): WasmResult {
    return continue_stream(StreamType.HttpResponse);
  }

  /** Resets the stream (Envoy: details `wasm_close_stream`). */
  closeRequest(): WasmResult {
    return close_stream(StreamType.HttpRequest);
  }

  /** Answers the request from the filter instead of the upstream; pause the stream after it. */
  sendLocalResponse(
    status_code: u32,
    details: string,
    body: ArrayBuffer,
    headers: Headers,
    grpc_status: GrpcStatus = GrpcStatus.InvalidCode,
  ): WasmResult {
    return send_local_response(status_code, details, body, headers, grpc_status);
  }

  /** Starts a unary gRPC call whose reply arrives at this context's gRPC callbacks. */
  dispatchGrpcCall(
    cluster: string,
    service: string,
    method: string,
    initial_metadata: Headers,
    message: ArrayBuffer,
    timeout_milliseconds: u32,
  ): WasmResult {
    return grpcCall(
      this,
      cluster,
      service,
      method,
      initial_metadata,
      message,
      timeout_milliseconds,
    );
  }

  /** Opens a gRPC stream whose messages arrive at this context's gRPC callbacks. */
  openGrpcStream(
    cluster: string,
    service: string,
    method: string,
    initial_metadata: Headers,
  ): WasmResult {
    return grpcStream(this, cluster, service, method, initial_metadata);
  }

  _onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    return this.onRequestHeaders(num_headers, end_of_stream);
  }

  _onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    return this.onResponseHeaders(num_headers, end_of_stream);
  }
}
