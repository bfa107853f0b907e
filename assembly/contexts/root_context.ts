import { WasmResult } from "../abi/enums";
import { BaseContext } from "./base_context";
import { plugin_configuration } from "../api/instances";
import { Context } from "./context";
import { dispatchHttpCall } from "../api/http_call";
import { Headers } from "../api/pairs";
import { HttpCallCallback } from "../dispatch/callouts";
import { StreamContextBase } from "./stream_context_base";
import { RootContextBase } from "./root_context_base";
import { RootFactory, addRootFactory } from "../dispatch/registry";

/**
 * A plugin's root context: one per plugin (root_id) per VM. It receives the configuration,
 * ticks, queue and foreign-function callbacks, and creates a `Context` for each stream.
 *
 * ```ts
 * class MyRoot extends RootContext {
 *   createContext(context_id: u32): Context { return new MyFilter(context_id, this); }
 * }
 * ```
 */
export class RootContext extends RootContextBase {
  private configuration_: string = "";

  /** The plugin configuration, as read by the default `onConfigure`. */
  getConfiguration(): string {
    return this.configuration_;
  }

  /**
   * The plugin was configured. The default keeps the configuration as a string for
   * `getConfiguration()`; override it to parse it (call `super.onConfigure(size)` first) and
   * return false when it is invalid.
   */
  onConfigure(configuration_size: u32): bool {
    const text = plugin_configuration.getString();
    this.configuration_ = text !== null ? text : "";
    return true;
  }

  /** Creates the context of a new HTTP stream or TCP connection. */
  createContext(context_id: u32): Context {
    return new Context(context_id, this);
  }

  /**
   * @solo-io/proxy-runtime's callout: sends an HTTP request to `cluster` and calls `cb` with
   * `origin_context` when the reply arrives (with `origin_context` as the effective context).
   */
  httpCall(
    cluster: string,
    headers: Headers,
    body: ArrayBuffer,
    trailers: Headers,
    timeout_milliseconds: u32,
    origin_context: BaseContext,
    cb: (origin_context: Context, headers: u32, body_size: usize, trailers: u32) => void,
  ): WasmResult {
    return dispatchHttpCall(
      origin_context,
      cluster,
      headers,
      body,
      trailers,
      timeout_milliseconds,
      changetype<HttpCallCallback>(cb),
    );
  }

  _onConfigure(configuration_size: usize): bool {
    return this.onConfigure(<u32>configuration_size);
  }

  _createStream(context_id: u32): StreamContextBase | null {
    return this.createContext(context_id);
  }
}

/**
 * Makes `factory` build the root context of plugins whose `root_id` is `name`. A plugin whose
 * root_id matches nothing registered gets the first registered root (with a log line).
 */
export function registerRootContext(factory: (context_id: u32) => RootContext, name: string): void {
  addRootFactory(
    new RootFactory(name, changetype<(context_id: u32) => RootContextBase>(factory), null),
  );
}
