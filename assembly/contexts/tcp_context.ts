import { FilterStatus, PeerType, StreamType, WasmResult } from "../abi/enums";
import { closeStream, continueStream } from "../api/stream";
import { StreamContext } from "./stream_context";

/**
 * The context of one TCP connection (a network filter). Override the callbacks you need; read
 * and rewrite the bytes with `downstreamData` / `upstreamData`.
 */
export class TcpContext extends StreamContext {
  /** A TCP connection was accepted. */
  onNewConnection(): FilterStatus {
    return FilterStatus.Continue;
  }

  /** Data from the client; read and rewrite it with `downstreamData`. */
  onDownstreamData(dataSize: usize, endOfStream: bool): FilterStatus {
    return FilterStatus.Continue;
  }

  /** Data from the server; read and rewrite it with `upstreamData`. */
  onUpstreamData(dataSize: usize, endOfStream: bool): FilterStatus {
    return FilterStatus.Continue;
  }

  /** The client side closed. */
  onDownstreamConnectionClose(peerType: PeerType): void {}

  /** The server side closed. */
  onUpstreamConnectionClose(peerType: PeerType): void {}

  /** Resumes reading from the client after a StopIteration answer. Returns Ok or why not. */
  continueDownstream(): WasmResult {
    return continueStream(StreamType.Downstream);
  }

  /** Resumes reading from the server after a StopIteration answer. Returns Ok or why not. */
  continueUpstream(): WasmResult {
    return continueStream(StreamType.Upstream);
  }

  /** Closes the connection to the client. Returns Ok or why not. */
  closeDownstream(): WasmResult {
    return closeStream(StreamType.Downstream);
  }

  /** Closes the connection to the server. Returns Ok or why not. */
  closeUpstream(): WasmResult {
    return closeStream(StreamType.Upstream);
  }

  _onNewConnection(): FilterStatus {
    return this.onNewConnection();
  }
  _onDownstreamData(dataSize: usize, endOfStream: bool): FilterStatus {
    return this.onDownstreamData(dataSize, endOfStream);
  }
  _onUpstreamData(dataSize: usize, endOfStream: bool): FilterStatus {
    return this.onUpstreamData(dataSize, endOfStream);
  }
  _onDownstreamConnectionClose(peerType: PeerType): void {
    this.onDownstreamConnectionClose(peerType);
  }
  _onUpstreamConnectionClose(peerType: PeerType): void {
    this.onUpstreamConnectionClose(peerType);
  }
}
