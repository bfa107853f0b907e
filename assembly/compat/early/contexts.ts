import { FilterHeadersStatus } from "../../abi/enums";
import { pluginConfiguration } from "../../api/maps_and_buffers";
import { RootContextBase } from "../../contexts/root_context_base";
import { StreamContextBase } from "../../contexts/stream_context_base";

/**
 * The root context of filters written for the early @solo-io/proxy-runtime (the `wasme init`
 * template): built without an id, `getConfiguration()` returns the raw bytes, `onConfigure()`
 * takes no size and `createContext()` no id.
 */
export class RootContext extends RootContextBase {
  constructor() {
    super(0);
  }

  /** The plugin configuration bytes; call it from `onConfigure`. */
  getConfiguration(): ArrayBuffer {
    const bytes = pluginConfiguration.get();
    return bytes !== null ? bytes : new ArrayBuffer(0);
  }

  /** The plugin was configured; return false to reject the configuration. */
  onConfigure(): bool {
    return true;
  }

  /** Creates the context of a new stream. */
  createContext(): Context {
    return new Context();
  }

  _onConfigure(configuration_size: usize): bool {
    return this.onConfigure();
  }

  _createStream(context_id: u32): StreamContextBase | null {
    const context = this.createContext();
    context.root_context = this;
    return context;
  }
}

/** The stream context of the early @solo-io/proxy-runtime: headers callbacks without end_of_stream. */
export class Context extends StreamContextBase {
  /** The root context; set by the runtime before the first callback. */
  root_context: RootContext = changetype<RootContext>(0);

  constructor() {
    super(0);
  }

  /** The request headers arrived. */
  onRequestHeaders(num_headers: u32): FilterHeadersStatus {
    return FilterHeadersStatus.Continue;
  }

  /** The response headers arrived. */
  onResponseHeaders(num_headers: u32): FilterHeadersStatus {
    return FilterHeadersStatus.Continue;
  }

  _onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    return this.onRequestHeaders(num_headers);
  }

  _onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    return this.onResponseHeaders(num_headers);
  }
}

/** In the early runtime this wrapped a root context to emulate virtual calls; now it is a no-op. */
export class RootContextHelper<T extends RootContext> {
  static wrap<T extends RootContext>(that: T): RootContext {
    return that;
  }
}

/** In the early runtime this wrapped a context to emulate virtual calls; now it is a no-op. */
export class ContextHelper<T extends Context> {
  static wrap<T extends Context>(that: T): Context {
    return that;
  }
}
