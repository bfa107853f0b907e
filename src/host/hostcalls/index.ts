// Builds the import object for one VM: only the functions the module imports, each wrapped with
// the restricted-callback check (cpp-host `src/v8/v8.cc`) and InvalidMemoryAccess handling.
import { WasmResult } from "../enums.js";
import { HostTrap, MemoryAccessError } from "../errors.js";
import { allowedDuringStart, allowedInAllocator, WASI_MODULES } from "../signatures.js";
import type { Vm } from "../vm.js";
import { bufferHostcalls } from "./buffers.js";
import { calloutHostcalls } from "./callouts.js";
import { headerHostcalls } from "./headers.js";
import { logHostcalls } from "./log.js";
import { metricHostcalls } from "./metrics.js";
import { miscHostcalls } from "./misc.js";
import { propertyHostcalls } from "./properties.js";
import { sharedHostcalls } from "./shared.js";
import { streamHostcalls } from "./stream.js";
import type { Hostcall } from "./types.js";
import { wasiHostcalls } from "./wasi.js";

const ENV: Record<string, Hostcall> = {
  ...logHostcalls,
  ...headerHostcalls,
  ...bufferHostcalls,
  ...propertyHostcalls,
  ...streamHostcalls,
  ...calloutHostcalls,
  ...sharedHostcalls,
  ...metricHostcalls,
  ...miscHostcalls,
};

/** WASI errno EFAULT. */
const EFAULT = 21;

function wrap(
  vm: Vm,
  module: string,
  name: string,
  impl: Hostcall,
): (...args: unknown[]) => unknown {
  const wasi = WASI_MODULES.includes(module);
  return (...args: unknown[]) => {
    if (
      (vm.restriction === "start" && !allowedDuringStart(module, name)) ||
      (vm.restriction === "allocator" && !allowedInAllocator(module, name))
    ) {
      throw new HostTrap("restricted_callback");
    }
    try {
      return impl(vm, ...args);
    } catch (e) {
      if (e instanceof MemoryAccessError) return wasi ? EFAULT : WasmResult.InvalidMemoryAccess;
      throw e;
    }
  };
}

/** The imports for `vm`'s module (already checked against the ABI version by Vm.create). */
export function buildImports(vm: Vm): WebAssembly.Imports {
  const imports: Record<string, Record<string, unknown>> = {};
  for (const imp of vm.info.imports) {
    const table = imp.module === "env" ? ENV : wasiHostcalls;
    const impl = table[imp.name];
    if (!impl) continue; // Vm.create has already rejected it
    (imports[imp.module] ??= {})[imp.name] = wrap(vm, imp.module, imp.name, impl);
  }
  return imports as WebAssembly.Imports;
}
