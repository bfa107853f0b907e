import { RootContext } from "./root_context";
import { StreamContextBase } from "./stream_context_base";

/**
 * What the two kinds of stream share: the HTTP `Context` and the `TcpContext` both extend it,
 * and `RootContext.createContext` returns one of them as this type.
 */
export class StreamContext extends StreamContextBase {
  /** The root context that created this stream. */
  readonly rootContext: RootContext;

  constructor(contextId: u32, rootContext: RootContext) {
    super(contextId);
    this.rootContext = rootContext;
  }

  /**
   * Access-log time, after the stream ended: for HTTP the request and response headers are
   * readable again.
   */
  onLog(): void {}

  _onLog(): void {
    this.onLog();
  }
}
