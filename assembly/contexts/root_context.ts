import { pluginConfiguration } from "../api/maps_and_buffers";
import { Context } from "./context";
import { StreamContext } from "./stream_context";
import { StreamContextBase } from "./stream_context_base";
import { RootContextBase } from "./root_context_base";
import { RootFactory, addRootFactory } from "../dispatch/registry";

/**
 * A plugin's root context: one per plugin (root_id) per VM. It receives the configuration,
 * ticks, queue and foreign-function callbacks, and creates a `Context` (HTTP) or `TcpContext`
 * for each stream.
 *
 * ```ts
 * class MyRoot extends RootContext {
 *   createContext(contextId: u32): StreamContext { return new MyFilter(contextId, this); }
 * }
 * ```
 */
export class RootContext extends RootContextBase {
  private configuration: string = "";

  /** The plugin configuration, as read by the default `onConfigure`. */
  getConfiguration(): string {
    return this.configuration;
  }

  /**
   * The plugin was configured. The default keeps the configuration as a string for
   * `getConfiguration()`; override it to parse it (call `super.onConfigure(size)` first) and
   * return false when it is invalid.
   */
  onConfigure(configurationSize: u32): bool {
    const text = pluginConfiguration.getString();
    this.configuration = text !== null ? text : "";
    return true;
  }

  /**
   * Creates the context of a new stream: a `Context` subclass for HTTP filters, a `TcpContext`
   * subclass for network filters. The default lets everything through.
   */
  createContext(contextId: u32): StreamContext {
    return new Context(contextId, this);
  }

  _onConfigure(configurationSize: usize): bool {
    return this.onConfigure(<u32>configurationSize);
  }

  _createStream(contextId: u32): StreamContextBase | null {
    return this.createContext(contextId);
  }
}

/**
 * Makes `factory` build the root context of plugins whose `root_id` is `name`. A plugin whose
 * root_id matches nothing registered gets the first registered root (with a log line).
 */
export function registerRootContext(factory: (contextId: u32) => RootContext, name: string): void {
  addRootFactory(
    new RootFactory(name, changetype<(contextId: u32) => RootContextBase>(factory), null),
  );
}
