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
 * @internal The dispatch hooks of a stream, one per `proxy_on_*` callback of HTTP streams and TCP
 * connections, each letting traffic through. `Context` forwards the HTTP hooks to its public
 * callbacks and `TcpContext` the TCP ones, so neither carries the other's; the flavour in
 * `compat/` forwards all of them. Used as is, it is the stream of the default root.
 */
export class StreamContextBase extends BaseContext {
  _onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    return FilterHeadersStatus.Continue;
  }
  _onRequestBody(bodyBufferLength: usize, endOfStream: bool): FilterDataStatus {
    return FilterDataStatus.Continue;
  }
  _onRequestTrailers(numTrailers: u32): FilterTrailersStatus {
    return FilterTrailersStatus.Continue;
  }
  _onRequestMetadata(numElements: u32): FilterMetadataStatus {
    return FilterMetadataStatus.Continue;
  }
  _onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    return FilterHeadersStatus.Continue;
  }
  _onResponseBody(bodyBufferLength: usize, endOfStream: bool): FilterDataStatus {
    return FilterDataStatus.Continue;
  }
  _onResponseTrailers(numTrailers: u32): FilterTrailersStatus {
    return FilterTrailersStatus.Continue;
  }
  _onResponseMetadata(numElements: u32): FilterMetadataStatus {
    return FilterMetadataStatus.Continue;
  }
  _onLog(): void {}
  _onNewConnection(): FilterStatus {
    return FilterStatus.Continue;
  }
  _onDownstreamData(dataSize: usize, endOfStream: bool): FilterStatus {
    return FilterStatus.Continue;
  }
  _onUpstreamData(dataSize: usize, endOfStream: bool): FilterStatus {
    return FilterStatus.Continue;
  }
  _onDownstreamConnectionClose(peerType: PeerType): void {}
  _onUpstreamConnectionClose(peerType: PeerType): void {}
}
