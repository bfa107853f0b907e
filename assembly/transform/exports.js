// asc transform: a filter module exports only the `proxy_on_*` callbacks its filter implements
// (docs/abi.md §2). `export * from "proxy-wasm-as/proxy"` names every callback, but the host
// skips a callback the module does not export (a missing body callback counts as Continue), so
// each callback nobody overrides is one call into the module per request for nothing.
//
// After the program is initialized, the transform looks at every class that extends one of the
// SDK's contexts (`Context`, `RootContext`, `TcpContext`, the compat entries' classes) and notes
// which callback methods it declares. After compilation it removes the SDK's exports of every
// other callback, except those the SDK itself needs (context create and delete, the allocator,
// and the callout replies when the filter makes callouts through the SDK); the optimizer, which
// runs afterwards, then drops the code only those exports reached.
//
// PROXY_WASM_AS_EXPORTS=all in the environment of asc keeps every callback (the shape before
// this transform existed), for comparisons; unset or "lean" is the default shape.

import { dirname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/** The SDK's root directory (the one holding assembly/ and package.json). */
const SDK_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** How modules that import the SDK by its package name see its files. */
const SDK_LIBRARY = "~lib/proxy-wasm-as/";

/**
 * Each callback, and the context methods whose override makes the filter implement it (also
 * counted with a leading underscore: the SDK's dispatch hooks, `_onRequestHeaders` …).
 */
export const CALLBACK_METHODS = {
  proxy_on_vm_start: ["onStart"],
  proxy_validate_configuration: ["validateConfiguration"],
  proxy_on_configure: ["onConfigure"],
  proxy_on_tick: ["onTick"],
  proxy_on_queue_ready: ["onQueueReady"],
  proxy_on_foreign_function: ["onForeignFunction"],
  proxy_on_new_connection: ["onNewConnection"],
  proxy_on_downstream_data: ["onDownstreamData"],
  proxy_on_upstream_data: ["onUpstreamData"],
  proxy_on_downstream_connection_close: ["onDownstreamConnectionClose"],
  proxy_on_upstream_connection_close: ["onUpstreamConnectionClose"],
  proxy_on_request_headers: ["onRequestHeaders"],
  proxy_on_request_body: ["onRequestBody"],
  proxy_on_request_trailers: ["onRequestTrailers"],
  proxy_on_request_metadata: ["onRequestMetadata"],
  proxy_on_response_headers: ["onResponseHeaders"],
  proxy_on_response_body: ["onResponseBody"],
  proxy_on_response_trailers: ["onResponseTrailers"],
  proxy_on_response_metadata: ["onResponseMetadata"],
  proxy_on_http_call_response: ["onHttpCallResponse"],
  proxy_on_grpc_receive_initial_metadata: ["onGrpcReceiveInitialMetadata"],
  proxy_on_grpc_receive: ["onGrpcReceive"],
  proxy_on_grpc_receive_trailing_metadata: ["onGrpcReceiveTrailingMetadata"],
  proxy_on_grpc_close: ["onGrpcClose"],
  proxy_on_log: ["onLog"],
  proxy_on_done: ["onDone"],
};

/**
 * Callbacks every filter exports: the allocator, and the two that keep the SDK's context table
 * (a context is built in create and forgotten in delete; without delete the table would grow).
 */
export const ALWAYS_EXPORTED = [
  "proxy_on_memory_allocate",
  "proxy_on_context_create",
  "proxy_on_delete",
];

/**
 * Callbacks the SDK needs once the filter calls one of its functions (named by the end of its
 * internal name in the SDK): a callout made through the SDK is remembered until its reply
 * arrives (the reply also runs a callback-style `httpCall`'s function), and the default
 * `onConfigure` keeps the plugin configuration that `getConfiguration()` returns.
 */
export const EXPORTED_WHEN_CALLED = [
  {
    callbacks: ["proxy_on_http_call_response"],
    functions: ["assembly/api/http_call/dispatchHttpCall"],
  },
  {
    callbacks: ["proxy_on_grpc_receive", "proxy_on_grpc_close"],
    functions: ["assembly/api/grpc/grpcCall", "assembly/api/grpc/grpcStream"],
  },
  {
    callbacks: ["proxy_on_configure"],
    // The SDK's RootContext and the compat entries' ones.
    functions: ["/RootContext#getConfiguration"],
  },
];

/** The SDK's export file, where every callback it may remove is defined. */
const EXPORTS_FILE = "assembly/abi/exports/";
/** The class every context derives from. */
const BASE_CONTEXT = "assembly/contexts/base_context/BaseContext";
const MODES = ["lean", "all"];

/** The lean/all choice from the environment; a clear error for anything else. */
function exportMode() {
  const value = (process.env.PROXY_WASM_AS_EXPORTS ?? "").trim();
  if (value === "") return "lean";
  if (!MODES.includes(value)) {
    const error = new Error(
      `PROXY_WASM_AS_EXPORTS is "${value}": use "lean" (the default: only the callbacks the ` +
        `filter implements) or "all" (every proxy_on_* callback)`,
    );
    error.stack = error.message; // asc prints the stack; the message says it all
    throw error;
  }
  return value;
}

const isClassPrototype = (el) =>
  el !== null && typeof el === "object" && "basePrototype" in el && "instanceMembers" in el;

export default class ExportsTransform {
  /** Callbacks implemented by the filter's own classes, filled in by afterInitialize. */
  implemented = new Set();
  /** Internal names of the SDK's classes, functions and methods in the program. */
  sdkElements = new Set();

  afterInitialize(program) {
    this.mode = exportMode();
    const seen = new Set();
    const visit = (el) => {
      if (!el || typeof el !== "object" || seen.has(el)) return;
      seen.add(el);
      if (typeof el.internalName === "string" && this.isSdk(el.internalName)) {
        this.sdkElements.add(el.internalName);
        if (el.instanceMembers instanceof Map) {
          for (const m of el.instanceMembers.values()) this.sdkElements.add(m.internalName);
        }
      }
      if (isClassPrototype(el)) this.noteClass(el);
      // Namespaces (and classes) keep nested declarations in `members`.
      if (el.members instanceof Map) for (const member of el.members.values()) visit(member);
    };
    for (const file of program.filesByName.values()) {
      if (file.members instanceof Map) for (const el of file.members.values()) visit(el);
    }
  }

  /** Adds the callbacks that `cls` implements, when it is a filter's context class. */
  noteClass(cls) {
    if (this.isSdk(cls.internalName) || !this.extendsSdkContext(cls)) return;
    const own = cls.instanceMembers;
    if (!own) return;
    for (const [callback, methods] of Object.entries(CALLBACK_METHODS)) {
      if (methods.some((m) => own.has(m) || own.has(`_${m}`))) this.implemented.add(callback);
    }
  }

  extendsSdkContext(cls) {
    for (let base = cls.basePrototype; base; base = base.basePrototype) {
      if (base.internalName.endsWith(BASE_CONTEXT) && this.isSdk(base.internalName)) return true;
    }
    return false;
  }

  /** Whether an element (by its internal name: `<file path>/<name>`) lives in the SDK. */
  isSdk(internalName) {
    if (internalName.startsWith(SDK_LIBRARY)) return true;
    if (internalName.startsWith("~lib/")) return false;
    // Code that imports the SDK by a relative path (inside this repository).
    const file = resolve(this.baseDir ?? ".", internalName.replace(/[/#][^/]*$/, ""));
    return file.startsWith(resolve(SDK_ROOT, "assembly") + sep);
  }

  /**
   * The names this transform relies on must still exist in the SDK: after a rename it would
   * otherwise see no filter class and remove callbacks the filter needs.
   */
  checkSdkNames() {
    const wanted = [BASE_CONTEXT, ...EXPORTED_WHEN_CALLED.flatMap((w) => w.functions)];
    const known = [...this.sdkElements];
    const missing = wanted.filter((tail) => !known.some((name) => name.endsWith(tail)));
    if (missing.length === 0) return;
    const error = new Error(
      `assembly/transform/exports.js looks for ${missing.join(", ")} in the SDK, which no ` +
        `longer has it: update the names in that transform (or build with ` +
        `PROXY_WASM_AS_EXPORTS=all to export every callback meanwhile)`,
    );
    error.stack = error.message;
    throw error;
  }

  afterCompile(module) {
    const binaryen = this.binaryen;
    const exports = [];
    for (let i = 0, n = module.getNumExports(); i < n; i++) {
      exports.push(binaryen.getExportInfo(module.getExportByIndex(i)));
    }
    // Only filters: a module without the ABI marker (a test build, a library) is left alone.
    if (!exports.some((e) => e.name.startsWith("proxy_abi_version_"))) return;
    if (this.mode === "all") return;
    this.checkSdkNames();

    const keep = new Set([...ALWAYS_EXPORTED, ...this.implemented]);
    const functions = new Set();
    for (let i = 0, n = module.getNumFunctions(); i < n; i++) {
      functions.add(binaryen.getFunctionInfo(module.getFunctionByIndex(i)).name);
    }
    for (const { callbacks, functions: needed } of EXPORTED_WHEN_CALLED) {
      const called = needed.some((tail) =>
        [...functions].some((f) => f.endsWith(tail) && this.isSdk(f)),
      );
      if (called) for (const c of callbacks) keep.add(c);
    }
    for (const e of exports) {
      if (!(e.name in CALLBACK_METHODS) || keep.has(e.name)) continue;
      // Only the SDK's own callbacks: an export the filter wrote itself stays.
      if (e.kind !== binaryen.ExternalFunction) continue;
      if (!e.value.endsWith(EXPORTS_FILE + e.name) || !this.isSdk(e.value)) continue;
      module.removeExport(e.name);
    }
  }
}
