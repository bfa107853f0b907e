import { proxy_call_foreign_function } from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { RETURN_LEN, RETURN_PTR, clearReturned, takeBuffer } from "../dispatch/memory";
import { encodeString } from "../dispatch/utf8_codec";

let lastResult: WasmResult = WasmResult.Ok;

/** The host's answer to the last `callForeignFunction`. */
export function lastForeignFunctionResult(): WasmResult {
  return lastResult;
}

/**
 * Calls the host function `name` (Envoy offers `compress`, `uncompress`, `clear_route_cache`,
 * `set_envoy_filter_state`, …) with `args`. Returns its result bytes, or null on failure
 * (see `lastForeignFunctionResult()`: NotFound when the host has no such function).
 */
export function callForeignFunction(name: string, args: ArrayBuffer): ArrayBuffer | null {
  const n = encodeString(name);
  clearReturned();
  lastResult = <WasmResult>(
    proxy_call_foreign_function(
      changetype<usize>(n),
      n.byteLength,
      changetype<usize>(args),
      args.byteLength,
      RETURN_PTR,
      RETURN_LEN,
    )
  );
  if (lastResult != WasmResult.Ok) return null;
  return takeBuffer();
}
