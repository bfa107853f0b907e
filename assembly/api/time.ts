import { proxy_get_current_time_nanoseconds } from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { RETURN_U64 } from "../dispatch/memory";
import { Result } from "./result";

/**
 * The host's wall clock in nanoseconds since the Unix epoch; not `ok` when the host refuses.
 * `getCurrentTimeNanoseconds().value / 1_000_000` is the time in milliseconds (0 on refusal).
 */
export function getCurrentTimeNanoseconds(): Result<u64> {
  const result = <WasmResult>proxy_get_current_time_nanoseconds(RETURN_U64);
  return new Result<u64>(result, result == WasmResult.Ok ? load<u64>(RETURN_U64) : 0);
}
