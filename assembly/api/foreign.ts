import { proxy_call_foreign_function } from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { RETURN_LEN, RETURN_PTR, clearReturned, takeBuffer } from "../dispatch/memory";
import { encodeString } from "../dispatch/utf8_codec";
import { Result } from "./result";

/**
 * Calls the host function `name` (Envoy offers `compress`, `uncompress`, `clear_route_cache`,
 * `set_envoy_filter_state`, …) with `args`. Returns its result bytes (empty when it returns
 * none), or (not `ok`) why it failed: `NotFound` when the host has no such function.
 */
export function callForeignFunction(name: string, args: ArrayBuffer): Result<ArrayBuffer> {
  const n = encodeString(name);
  clearReturned();
  const result = <WasmResult>(
    proxy_call_foreign_function(
      changetype<usize>(n),
      n.byteLength,
      changetype<usize>(args),
      args.byteLength,
      RETURN_PTR,
      RETURN_LEN,
    )
  );
  if (result != WasmResult.Ok) return new Result<ArrayBuffer>(result, new ArrayBuffer(0));
  return new Result<ArrayBuffer>(result, takeBuffer());
}
