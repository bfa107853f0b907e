import { WasmResult } from "../abi/enums";

/**
 * The answer of a hostcall wrapper that produces a value the host may fail to give: a number
 * (a callout token, a queue id, a metric value, the time) or bytes whose failure needs a
 * reason (a foreign function's result). Check `ok` before using `value`; `status` says why not.
 *
 * ```ts
 * const call = this.dispatchHttpCall("auth", headers, null, [], 1000);
 * if (!call.ok) return this.reject(call.status);
 * this.token = call.value;
 * ```
 */
export class Result<T> {
  constructor(
    /** `WasmResult.Ok`, or why the host gave no value. */
    public readonly status: WasmResult,
    /** The value when `ok`; 0 or empty otherwise. */
    public readonly value: T,
  ) {}

  /** True when the host gave the value. */
  get ok(): bool {
    return this.status == WasmResult.Ok;
  }
}
