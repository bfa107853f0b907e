import {
  FilterDataStatus,
  FilterHeadersStatus,
  FilterMetadataStatus,
  FilterTrailersStatus,
  GrpcStatus,
  StreamType,
  WasmResult,
} from "../abi/enums";
import { Headers } from "../api/pairs";
import { closeStream, continueStream, sendLocalResponse } from "../api/stream";
import { StreamContext } from "./stream_context";

/**
 * The context of one HTTP stream. Override the callbacks you need; each has a default that lets
 * traffic through.
 *
 * ```ts
 * class AddHeader extends Context {
 *   onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
 *     responseHeaders.add("hello", "world!");
 *     return FilterHeadersStatus.Continue;
 *   }
 * }
 * ```
 */
export class Context extends StreamContext {
  /** The request headers arrived; read and change them with `requestHeaders`. */
  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    return FilterHeadersStatus.Continue;
  }

  /**
   * A chunk of the request body (`requestBody`). `bodyBufferLength` is the size of what is
   * buffered now (all chunks held so far if an earlier call returned StopIterationAndBuffer).
   */
  onRequestBody(bodyBufferLength: usize, endOfStream: bool): FilterDataStatus {
    return FilterDataStatus.Continue;
  }

  /** The request trailers arrived; use `requestTrailers`. */
  onRequestTrailers(numTrailers: u32): FilterTrailersStatus {
    return FilterTrailersStatus.Continue;
  }

  /** Request metadata arrived (the host ignores the answer). */
  onRequestMetadata(numElements: u32): FilterMetadataStatus {
    return FilterMetadataStatus.Continue;
  }

  /** The response headers arrived; read and change them with `responseHeaders`. */
  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    return FilterHeadersStatus.Continue;
  }

  /** A chunk of the response body (`responseBody`); see `onRequestBody`. */
  onResponseBody(bodyBufferLength: usize, endOfStream: bool): FilterDataStatus {
    return FilterDataStatus.Continue;
  }

  /** The response trailers arrived; use `responseTrailers`. */
  onResponseTrailers(numTrailers: u32): FilterTrailersStatus {
    return FilterTrailersStatus.Continue;
  }

  /** Response metadata arrived (the host ignores the answer). */
  onResponseMetadata(numElements: u32): FilterMetadataStatus {
    return FilterMetadataStatus.Continue;
  }

  /** Resumes a request paused by a callback's Stop answer. Returns Ok or why not. */
  continueRequest(): WasmResult {
    return continueStream(StreamType.HttpRequest);
  }

  /** Resumes a response paused by a callback's Stop answer. Returns Ok or why not. */
  continueResponse(): WasmResult {
    return continueStream(StreamType.HttpResponse);
  }

  /** Resets the stream (Envoy: details `wasm_close_stream`). Returns Ok or why not. */
  closeRequest(): WasmResult {
    return closeStream(StreamType.HttpRequest);
  }

  /** Resets the stream from the response side. Returns Ok or why not. */
  closeResponse(): WasmResult {
    return closeStream(StreamType.HttpResponse);
  }

  /**
   * Answers the request from the filter instead of the upstream; sent when the callback returns,
   * which then counts as Stop. Whitespace in `details` becomes `_` on Envoy. Returns Ok or why
   * not.
   */
  sendLocalResponse(
    statusCode: u32,
    details: string,
    body: ArrayBuffer,
    headers: Headers,
    grpcStatus: GrpcStatus = GrpcStatus.InvalidCode,
  ): WasmResult {
    return sendLocalResponse(statusCode, details, body, headers, grpcStatus);
  }

  _onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    return this.onRequestHeaders(numHeaders, endOfStream);
  }
  _onRequestBody(bodyBufferLength: usize, endOfStream: bool): FilterDataStatus {
    return this.onRequestBody(bodyBufferLength, endOfStream);
  }
  _onRequestTrailers(numTrailers: u32): FilterTrailersStatus {
    return this.onRequestTrailers(numTrailers);
  }
  _onRequestMetadata(numElements: u32): FilterMetadataStatus {
    return this.onRequestMetadata(numElements);
  }
  _onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    return this.onResponseHeaders(numHeaders, endOfStream);
  }
  _onResponseBody(bodyBufferLength: usize, endOfStream: bool): FilterDataStatus {
    return this.onResponseBody(bodyBufferLength, endOfStream);
  }
  _onResponseTrailers(numTrailers: u32): FilterTrailersStatus {
    return this.onResponseTrailers(numTrailers);
  }
  _onResponseMetadata(numElements: u32): FilterMetadataStatus {
    return this.onResponseMetadata(numElements);
  }
}
