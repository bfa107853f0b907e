import { proxy_set_tick_period_milliseconds } from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { BaseContext } from "./base_context";
import { StreamContextBase } from "./stream_context_base";

/**
 * The callbacks of a root (plugin) context that every flavour shares. Filters extend
 * `RootContext`, not this class.
 */
export class RootContextBase extends BaseContext {
  constructor(context_id: u32) {
    super(context_id);
    this._isRoot = true;
  }

  /** The VM started; read its configuration with `vm_configuration`. False fails the start. */
  onStart(vm_configuration_size: usize): bool {
    return true;
  }

  /** Checks a configuration without applying it (the control plane may call it). */
  validateConfiguration(configuration_size: usize): bool {
    return true;
  }

  /** The tick timer fired (see `setTickPeriod`). */
  onTick(): void {}

  /** A shared queue this root registered has data. */
  onQueueReady(queue_id: u32): void {}

  /** The host called a function of this plugin; read its arguments with `foreign_function_arguments`. */
  onForeignFunction(function_id: u32, arguments_size: usize): void {}

  /** Calls `onTick` every `milliseconds` (0 stops the timer). */
  setTickPeriod(milliseconds: u32): WasmResult {
    this.setEffectiveContext();
    return <WasmResult>proxy_set_tick_period_milliseconds(milliseconds);
  }

  /** @internal Dispatch hook for `proxy_on_configure`. */
  _onConfigure(configuration_size: usize): bool {
    return true;
  }

  /**
   * @internal Dispatch hook for `proxy_on_context_create` of a stream under this root. This base
   * is also the default root used when nothing is registered: its streams let everything through.
   */
  _createStream(context_id: u32): StreamContextBase | null {
    return new StreamContextBase(context_id);
  }
}
