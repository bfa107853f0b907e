import {
  proxy_get_current_time_nanoseconds,
  proxy_set_tick_period_milliseconds,
} from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { RETURN_U64 } from "../dispatch/memory";

/** The host's wall clock in nanoseconds since the Unix epoch (0 if the host refuses). */
export function get_current_time_nanoseconds(): u64 {
  if (proxy_get_current_time_nanoseconds(RETURN_U64) != WasmResult.Ok) return 0;
  return load<u64>(RETURN_U64);
}

/** Sets the tick period of the current root context (prefer `RootContext.setTickPeriod`). */
export function set_tick_period_milliseconds(millisecond: u32): WasmResult {
  return <WasmResult>proxy_set_tick_period_milliseconds(millisecond);
}
