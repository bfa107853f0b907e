import { StreamType, WasmResult } from "../abi/enums";
import { Context } from "./context";
import { close_stream, continue_stream } from "../api/stream";

/**
 * The context of one TCP connection (a network filter). Override `onNewConnection`,
 * `onDownstreamData`, `onUpstreamData` and the close callbacks; read and rewrite the bytes with
 * `downstream_data` / `upstream_data`.
 */
export class TcpContext extends Context {
  /** Resumes reading from the client after a StopIteration answer. */
  continueDownstream(): WasmResult {
    return continue_stream(StreamType.Downstream);
  }

  /** Closes the connection to the client. */
  closeDownstream(): WasmResult {
    return close_stream(StreamType.Downstream);
  }

  /** Closes the connection to the server. */
  closeUpstream(): WasmResult {
    return close_stream(StreamType.Upstream);
  }
}
