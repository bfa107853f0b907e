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
  arity: number | undefined,
): (...args: unknown[]) => unknown {
  const wasi = WASI_MODULES.includes(module);
  // The restriction lists are fixed per import: decided once here, not on every call.
  const duringStart = allowedDuringStart(module, name);
  const inAllocator = allowedInAllocator(module, name);
  const check = (): void => {
    const r = vm.restriction;
    if (r !== null && (r === "start" ? !duringStart : !inAllocator)) {
      throw new HostTrap("restricted_callback");
    }
  };
  const fail = (e: unknown): unknown => {
    if (e instanceof MemoryAccessError) return wasi ? EFAULT : WasmResult.InvalidMemoryAccess;
    throw e;
  };
  // Wasm passes exactly the import type's parameters; fixed-arity entry points spare the rest
  // array and spread of the generic one on the hot path.
  /* eslint-disable @typescript-eslint/no-explicit-any */
  const f = impl as (...a: any[]) => unknown;
  switch (arity) {
    case 0:
      return () => {
        check();
        try {
          return f(vm);
        } catch (e) {
          return fail(e);
        }
      };
    case 1:
      return (a: any) => {
        check();
        try {
          return f(vm, a);
        } catch (e) {
          return fail(e);
        }
      };
    case 2:
      return (a: any, b: any) => {
        check();
        try {
          return f(vm, a, b);
        } catch (e) {
          return fail(e);
        }
      };
    case 3:
      return (a: any, b: any, c: any) => {
        check();
        try {
          return f(vm, a, b, c);
        } catch (e) {
          return fail(e);
        }
      };
    case 4:
      return (a: any, b: any, c: any, d: any) => {
        check();
        try {
          return f(vm, a, b, c, d);
        } catch (e) {
          return fail(e);
        }
      };
    case 5:
      return (a: any, b: any, c: any, d: any, e5: any) => {
        check();
        try {
          return f(vm, a, b, c, d, e5);
        } catch (e) {
          return fail(e);
        }
      };
    default:
      return (...args: unknown[]) => {
        check();
        try {
          return f(vm, ...args);
        } catch (e) {
          return fail(e);
        }
      };
  }
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

/** The imports for `vm`'s module (already checked against the ABI version by Vm.create). */
export function buildImports(vm: Vm): WebAssembly.Imports {
  const imports: Record<string, Record<string, unknown>> = {};
  for (const imp of vm.info.imports) {
    const table = imp.module === "env" ? ENV : wasiHostcalls;
    const impl = table[imp.name];
    if (!impl) continue; // Vm.create has already rejected it
    (imports[imp.module] ??= {})[imp.name] = wrap(
      vm,
      imp.module,
      imp.name,
      impl,
      imp.type?.params.length,
    );
  }
  return imports as WebAssembly.Imports;
}
