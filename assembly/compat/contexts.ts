// The context classes of @solo-io/proxy-runtime 0.1.8–0.1.15 and @gcoredev/proxy-wasm-sdk-as
// 1.2.3, which share them: a root built with its id, `getConfiguration()` as a string, and
// `httpCall` with a callback. They extend the SDK's own bases, so the dispatcher drives them
// like the current API's classes.
import { proxy_continue_stream } from "../abi/imports";
import { FilterHeadersStatus, StreamType, WasmResult } from "../abi/enums";
import { BaseContext } from "../contexts/base_context";
import { RootContextBase } from "../contexts/root_context_base";
import { StreamContextBase } from "../contexts/stream_context_base";
import { dispatchHttpCall } from "../api/http_call";
import { pluginConfiguration } from "../api/maps_and_buffers";
import { Headers } from "../api/pairs";
import { HttpCallCallback } from "../dispatch/callouts";
import { RootFactory, addRootFactory } from "../dispatch/registry";

/** The callback type of `httpCall`; a callback may declare its first parameter as `BaseContext`. */
export type HttpCallCallbackFunction = (
  origin_context: Context,
  headers: u32,
  body_size: usize,
  trailers: u32,
) => void;

/** A pending `httpCall`: the context that made it and the function its reply goes to. */
export class HttpCallback {
  origin_context: BaseContext;
  cb: (origin_context: BaseContext, headers: u32, body_size: usize, trailers: u32) => void;

  constructor(
    origin_context: BaseContext,
    cb: (origin_context: BaseContext, headers: u32, body_size: usize, trailers: u32) => void,
  ) {
    this.origin_context = origin_context;
    this.cb = cb;
  }
}

/** The root context: one per plugin per VM; `createContext` builds the stream contexts. */
export class RootContext extends RootContextBase {
  private configuration_: string = "";

  constructor(context_id: u32) {
    super(context_id);
  }

  /** The id the host gave this context. */
  get context_id(): u32 {
    return this.contextId;
  }
  set context_id(context_id: u32) {
    this.contextId = context_id;
  }

  /** The plugin configuration as read by the default `onConfigure`. */
  getConfiguration(): string {
    return this.configuration_;
  }

  /** Creates the context of a new stream; override it. */
  createContext(context_id: u32): Context {
    return new Context(context_id, this);
  }

  /** Reads the plugin configuration for `getConfiguration()`; return false to reject it. */
  onConfigure(configuration_size: u32): bool {
    const text = pluginConfiguration.getString();
    this.configuration_ = text !== null ? text : "";
    return true;
  }

  /** Kept for code that calls it; pending calls are dropped when their context is deleted. */
  cancelPendingRequests(): void {}

  /** Reports that the work a false `onDone` waited for has finished. */
  done(): void {}

  /** Resumes the request of the effective stream (as the runtime's `BaseContext` did). */
  continueRequest(): void {
    proxy_continue_stream(StreamType.HttpRequest);
  }

  /**
   * Sends an HTTP request to `cluster`; `cb` gets `origin_context` when the reply arrives, with
   * `origin_context` as the effective context.
   */
  httpCall(
    cluster: string,
    headers: Headers,
    body: ArrayBuffer,
    trailers: Headers,
    timeout_milliseconds: u32,
    origin_context: BaseContext,
    cb: HttpCallCallbackFunction,
  ): WasmResult {
    return dispatchHttpCall(
      origin_context,
      cluster,
      headers,
      body,
      trailers,
      timeout_milliseconds,
      changetype<HttpCallCallback>(cb),
    ).status;
  }

  /** gRPC replies of the runtime's never-finished gRPC support; kept for code that overrides them. */
  on_grpc_receive_initial_metadata(token: u32, headers: u32): void {}
  on_grpc_trailing_metadata(token: u32, trailers: u32): void {}
  on_grpc_receive(token: u32, response_size: u32): void {}
  on_grpc_close(token: u32, status_code: u32): void {}

  _onConfigure(configuration_size: usize): bool {
    return this.onConfigure(<u32>configuration_size);
  }

  _createStream(context_id: u32): StreamContextBase | null {
    return this.createContext(context_id);
  }
}

/** The context of one HTTP stream or TCP connection. */
export class Context extends StreamContextBase {
  /** The root context that created this stream. */
  root_context: RootContext;

  constructor(context_id: u32, root_context: RootContext) {
    super(context_id);
    this.root_context = root_context;
  }

  /** The id the host gave this context. */
  get context_id(): u32 {
    return this.contextId;
  }
  set context_id(context_id: u32) {
    this.contextId = context_id;
  }

  /** The request headers arrived; use `stream_context.headers.request`. */
  onRequestHeaders(a: u32, end_of_stream: bool): FilterHeadersStatus {
    return FilterHeadersStatus.Continue;
  }

  /** The response headers arrived; use `stream_context.headers.response`. */
  onResponseHeaders(a: u32, end_of_stream: bool): FilterHeadersStatus {
    return FilterHeadersStatus.Continue;
  }

  /** Resumes this stream's request after a Stop answer. */
  continueRequest(): void {
    proxy_continue_stream(StreamType.HttpRequest);
  }

  /** Resumes this stream's response after a Stop answer. */
  continueResponse(): void {
    proxy_continue_stream(StreamType.HttpResponse);
  }

  _onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    return this.onRequestHeaders(num_headers, end_of_stream);
  }

  _onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    return this.onResponseHeaders(num_headers, end_of_stream);
  }
}

/**
 * Registers the root context factory for plugins whose `root_id` is `name`; a plugin whose
 * root_id matches nothing gets the first one registered. The factory may take the context id
 * (`(context_id: u32) => new MyRoot(context_id)`) or not.
 */
export function registerRootContext(
  root_context_factory: (context_id: u32) => RootContext,
  name: string,
): void {
  addRootFactory(
    new RootFactory(
      name,
      changetype<(context_id: u32) => RootContextBase>(root_context_factory),
      null,
    ),
  );
}
