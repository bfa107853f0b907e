import { proxy_done, proxy_set_tick_period_milliseconds } from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { BaseContext } from "./base_context";
import { StreamContextBase } from "./stream_context_base";

/**
 * The callbacks of a root (plugin) context that every flavour shares. Filters extend
 * `RootContext`, not this class.
 */
export class RootContextBase extends BaseContext {
  constructor(contextId: u32) {
    super(contextId);
    this._isRoot = true;
  }

  /** The VM started; read its configuration with `vmConfiguration`. False fails the start. */
  onStart(vmConfigurationSize: usize): bool {
    return true;
  }

  /** Checks a configuration without applying it (the control plane may call it). */
  validateConfiguration(configurationSize: usize): bool {
    return true;
  }

  /** The tick timer fired (see `setTickPeriod`). */
  onTick(): void {}

  /** A shared queue this root registered has data. */
  onQueueReady(queueId: u32): void {}

  /** The host called a function of this plugin; read its arguments with `foreignFunctionArguments`. */
  onForeignFunction(functionId: u32, argumentsSize: usize): void {}

  /** Calls `onTick` every `milliseconds` (0 stops the timer). Returns Ok or why not. */
  setTickPeriod(milliseconds: u32): WasmResult {
    this.setEffectiveContext();
    return <WasmResult>proxy_set_tick_period_milliseconds(milliseconds);
  }

  /**
   * Tells the host this root finished the work it kept going by answering false from `onDone`;
   * the host then deletes it. Returns Ok or why not.
   */
  done(): WasmResult {
    this.setEffectiveContext();
    return <WasmResult>proxy_done();
  }

  /** @internal Dispatch hook for `proxy_on_configure`. */
  _onConfigure(configurationSize: usize): bool {
    return true;
  }

  /**
   * @internal Dispatch hook for `proxy_on_context_create` of a stream under this root. This base
   * is also the default root used when nothing is registered: its streams let everything through.
   */
  _createStream(contextId: u32): StreamContextBase | null {
    return new StreamContextBase(contextId);
  }
}
