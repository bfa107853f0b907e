import {
  FilterDataStatus,
  FilterHeadersStatus,
  FilterMetadataStatus,
  FilterStatus,
  FilterTrailersStatus,
  PeerType,
} from "../abi/enums";
import { BaseContext } from "./base_context";

/**
 * The callbacks of an HTTP stream or TCP connection that every context flavour shares. Filters
 * extend `Context` (or `TcpContext`), not this class; it exists so the old
 * @solo-io/proxy-runtime flavour in `compat/` can differ only in the headers callbacks.
 */
export class StreamContextBase extends BaseContext {
  /** @internal Dispatch hook for `proxy_on_request_headers`. */
  _onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    return FilterHeadersStatus.Continue;
  }
  /** @internal Dispatch hook for `proxy_on_response_headers`. */
  _onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    return FilterHeadersStatus.Continue;
  }

  /**
   * A chunk of the request body. `body_buffer_length` is the size of what is buffered now (all
   * chunks held so far if an earlier call returned StopIterationAndBuffer).
   */
  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    return FilterDataStatus.Continue;
  }
  /** The request trailers arrived; use `stream_context.trailers.request`. */
  onRequestTrailers(num_trailers: u32): FilterTrailersStatus {
    return FilterTrailersStatus.Continue;
  }
  /** Request metadata arrived (the host ignores the answer). */
  onRequestMetadata(num_elements: u32): FilterMetadataStatus {
    return FilterMetadataStatus.Continue;
  }
  /** A chunk of the response body; see `onRequestBody`. */
  onResponseBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    return FilterDataStatus.Continue;
  }
  /** The response trailers arrived; use `stream_context.trailers.response`. */
  onResponseTrailers(num_trailers: u32): FilterTrailersStatus {
    return FilterTrailersStatus.Continue;
  }
  /** Response metadata arrived (the host ignores the answer). */
  onResponseMetadata(num_elements: u32): FilterMetadataStatus {
    return FilterMetadataStatus.Continue;
  }
  /** Access-log time: request and response headers are readable again. */
  onLog(): void {}

  /** A TCP connection was accepted. */
  onNewConnection(): FilterStatus {
    return FilterStatus.Continue;
  }
  /** Data from the client; read and rewrite it with `downstream_data`. */
  onDownstreamData(data_size: usize, end_of_stream: bool): FilterStatus {
    return FilterStatus.Continue;
  }
  /** Data from the server; read and rewrite it with `upstream_data`. */
  onUpstreamData(data_size: usize, end_of_stream: bool): FilterStatus {
    return FilterStatus.Continue;
  }
  /** The client side closed. */
  onDownstreamConnectionClose(peer_type: PeerType): void {}
  /** The server side closed. */
  onUpstreamConnectionClose(peer_type: PeerType): void {}
}
