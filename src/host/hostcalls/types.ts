// The shape of a hostcall implementation: it gets the VM and the raw wasm arguments
// (i32 as JS numbers, possibly negative; i64 as BigInt) and returns the i32 WasmResult.
import type { Context } from "../context.js";
import type { Vm } from "../vm.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Hostcall = (vm: Vm, ...args: any[]) => number | void;

/** The context a hostcall acts on (effective context, else the current one). */
export function contextOf(vm: Vm): Context | null {
  return vm.effectiveContext();
}
