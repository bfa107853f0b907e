// The Proxy-Wasm ABI in one table: the enumerations with Envoy's numbering, the callbacks a
// module exports and the hostcalls a host provides, each with its exact wasm signature and the
// ABI versions that have it. Everything else follows this table:
//
//   generated:  assembly/abi/enums.ts      (the SDK's enums)
//               assembly/compat/values.ts  (the same enums under @solo-io/proxy-runtime's names)
//               src/host/enums.ts          (the host emulator's enums)
//               src/host/signatures.ts     (what the emulator links and looks up at load time)
//   checked:    assembly/abi/imports.ts and assembly/abi/exports.ts (tests/abi/abi_table.test.ts)
//
// Edit the table, then run `node scripts/abi.mjs`; tests/abi/abi_table.test.ts fails while a
// generated file differs from what the table gives.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The ABI versions a module can declare, oldest first. */
export const ABI_VERSIONS = ["0.1.0", "0.2.0", "0.2.1"];

/** The version the SDK's modules declare. */
export const SDK_ABI_VERSION = "0.2.1";

/** The marker export that declares `version`: an empty function, never called. */
export function abiMarker(version) {
  return `proxy_abi_version_${version.replaceAll(".", "_")}`;
}

// ---------------------------------------------------------------------------------------------
// Enumerations. Each enum: name (SDK and host), doc, members in order. A member: name, value,
// doc (optional), solo (its @solo-io/proxy-runtime name where that differs). Compat names the
// enum `${name}Values` and adds its `soloAliases`, the second names solo gives some values
// (`MAX`). `hostDoc` replaces `doc` in the host's file where the SDK's words speak of SDK
// functions.

/** @typedef {{ name: string, value: number, doc?: string, hostDoc?: string, solo?: string }} Member */
/**
 * @typedef {{ name: string, doc: string, hostDoc?: string, members: Member[],
 *   soloAliases?: { name: string, value: number }[] }} Enum
 */

/** @type {Enum[]} */
export const ENUMS = [
  {
    name: "WasmResult",
    doc: "What a hostcall returned. Every wrapper hands this back instead of trapping.",
    hostDoc: "What a hostcall returned to the module.",
    members: [
      { name: "Ok", value: 0 },
      { name: "NotFound", value: 1, doc: "The key, buffer, queue or property does not exist." },
      {
        name: "BadArgument",
        value: 2,
        doc: "An argument was out of range, or the map or buffer is not available now.",
      },
      { name: "SerializationFailure", value: 3 },
      { name: "ParseFailure", value: 4 },
      { name: "BadExpression", value: 5 },
      { name: "InvalidMemoryAccess", value: 6 },
      { name: "Empty", value: 7, doc: "The queue had nothing to dequeue." },
      {
        name: "CasMismatch",
        value: 8,
        doc: "Shared data changed since it was read (compare-and-swap failed).",
      },
      { name: "ResultMismatch", value: 9 },
      { name: "InternalFailure", value: 10 },
      { name: "BrokenConnection", value: 11 },
      { name: "Unimplemented", value: 12 },
    ],
  },
  {
    name: "LogLevel",
    doc: "Host log levels, lowest first.",
    members: [
      { name: "Trace", value: 0, solo: "trace" },
      { name: "Debug", value: 1, solo: "debug" },
      { name: "Info", value: 2, solo: "info" },
      { name: "Warn", value: 3, solo: "warn" },
      { name: "Error", value: 4, solo: "error" },
      { name: "Critical", value: 5, solo: "critical" },
      {
        name: "Off",
        value: 6,
        doc: "Reported by `proxy_get_log_level` when logging is switched off.",
        solo: "off",
      },
    ],
  },
  {
    name: "FilterHeadersStatus",
    doc: "What an HTTP headers callback tells the host.",
    members: [
      { name: "Continue", value: 0 },
      {
        name: "StopIteration",
        value: 1,
        doc: "Pause the stream (Envoy stops all iteration and watermarks); resume with `continueRequest()`.",
        hostDoc:
          "Pause the stream (Envoy stops all iteration and watermarks) until the filter continues it.",
      },
      { name: "ContinueAndEndStream", value: 2 },
      { name: "StopAllIterationAndBuffer", value: 3 },
      { name: "StopAllIterationAndWatermark", value: 4 },
    ],
  },
  {
    name: "FilterDataStatus",
    doc: "What an HTTP body callback tells the host.",
    members: [
      { name: "Continue", value: 0 },
      {
        name: "StopIterationAndBuffer",
        value: 1,
        doc: "Hold this chunk; the next body callback sees everything buffered so far.",
      },
      { name: "StopIterationAndWatermark", value: 2 },
      { name: "StopIterationNoBuffer", value: 3, doc: "Hold this chunk without buffering it." },
    ],
  },
  {
    name: "FilterTrailersStatus",
    doc: "What an HTTP trailers callback tells the host.",
    members: [
      { name: "Continue", value: 0 },
      { name: "StopIteration", value: 1 },
    ],
  },
  {
    name: "FilterMetadataStatus",
    doc: "What an HTTP metadata callback tells the host (Envoy ignores it).",
    members: [{ name: "Continue", value: 0 }],
  },
  {
    name: "FilterStatus",
    doc: "What a TCP callback tells the host.",
    members: [
      { name: "Continue", value: 0 },
      { name: "StopIteration", value: 1 },
    ],
  },
  {
    name: "PeerType",
    doc: "Which side closed a TCP connection.",
    members: [
      { name: "Unknown", value: 0 },
      { name: "Local", value: 1 },
      { name: "Remote", value: 2 },
    ],
  },
  {
    name: "BufferType",
    doc: "The host buffers a filter can read and, for bodies and TCP data, write.",
    members: [
      { name: "HttpRequestBody", value: 0 },
      { name: "HttpResponseBody", value: 1 },
      { name: "DownstreamData", value: 2, solo: "NetworkDownstreamData" },
      { name: "UpstreamData", value: 3, solo: "NetworkUpstreamData" },
      { name: "HttpCallResponseBody", value: 4 },
      { name: "GrpcReceiveBuffer", value: 5 },
      { name: "VmConfiguration", value: 6 },
      { name: "PluginConfiguration", value: 7 },
      { name: "CallData", value: 8 },
    ],
    soloAliases: [{ name: "MAX", value: 8 }],
  },
  {
    name: "HeaderMapType",
    doc: "The host header and metadata maps.",
    members: [
      { name: "HttpRequestHeaders", value: 0, solo: "RequestHeaders" },
      { name: "HttpRequestTrailers", value: 1, solo: "RequestTrailers" },
      { name: "HttpResponseHeaders", value: 2, solo: "ResponseHeaders" },
      { name: "HttpResponseTrailers", value: 3, solo: "ResponseTrailers" },
      { name: "GrpcReceiveInitialMetadata", value: 4 },
      { name: "GrpcReceiveTrailingMetadata", value: 5 },
      { name: "HttpCallResponseHeaders", value: 6 },
      { name: "HttpCallResponseTrailers", value: 7 },
    ],
    soloAliases: [{ name: "MAX", value: 7 }],
  },
  {
    name: "StreamType",
    doc: "The stream a continue or close applies to.",
    members: [
      { name: "HttpRequest", value: 0, solo: "Request" },
      { name: "HttpResponse", value: 1, solo: "Response" },
      { name: "Downstream", value: 2 },
      { name: "Upstream", value: 3 },
    ],
    soloAliases: [{ name: "MAX", value: 3 }],
  },
  {
    name: "MetricType",
    doc: "Metric kinds.",
    members: [
      { name: "Counter", value: 0 },
      { name: "Gauge", value: 1 },
      { name: "Histogram", value: 2 },
    ],
  },
  {
    name: "GrpcStatus",
    doc: 'gRPC status codes; `InvalidCode` means "none" in local replies.',
    members: [
      { name: "Ok", value: 0 },
      { name: "Canceled", value: 1 },
      { name: "Unknown", value: 2 },
      { name: "InvalidArgument", value: 3 },
      { name: "DeadlineExceeded", value: 4 },
      { name: "NotFound", value: 5 },
      { name: "AlreadyExists", value: 6 },
      { name: "PermissionDenied", value: 7 },
      { name: "ResourceExhausted", value: 8 },
      { name: "FailedPrecondition", value: 9 },
      { name: "Aborted", value: 10 },
      { name: "OutOfRange", value: 11 },
      { name: "Unimplemented", value: 12 },
      { name: "Internal", value: 13 },
      { name: "Unavailable", value: 14 },
      { name: "DataLoss", value: 15 },
      { name: "Unauthenticated", value: 16 },
      { name: "InvalidCode", value: -1 },
    ],
    soloAliases: [{ name: "MaximumValid", value: 16 }],
  },
];

// ---------------------------------------------------------------------------------------------
// Signatures. `fn("a, b:i64", "i32")` is a wasm function type: its parameters by name (i32
// unless a type follows the colon) and its result (none when left out).

/** @typedef {"i32" | "i64" | "f32" | "f64"} ValType */
/** @typedef {{ params: { name: string, type: ValType }[], results: ValType[] }} Signature */

/** @returns {Signature} */
function fn(params, result) {
  const list = params
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")
    .map((p) => {
      const [name, type = "i32"] = p.split(":").map((part) => part.trim());
      if (!["i32", "i64", "f32", "f64"].includes(type)) {
        throw new Error(`scripts/abi.mjs: parameter "${p}" has no wasm type (i32, i64, f32, f64)`);
      }
      return { name, type };
    });
  return { params: list, results: result ? [result] : [] };
}

/** Every hostcall and callback answers through an i32 (a WasmResult or a status). */
const R = "i32";

// ---------------------------------------------------------------------------------------------
// Callbacks: the proxy_on_* functions a host calls (proxy-wasm-cpp-host looks them up in
// src/wasm.cc getFunctions and checks each signature). `older` holds the signature in versions
// where it differed.

/** @typedef {Signature & { older?: Record<string, Signature> }} Callback */

/** @type {Record<string, Callback>} */
export const CALLBACKS = {
  proxy_on_memory_allocate: fn("size", R),
  proxy_on_context_create: fn("context_id, parent_context_id"),
  proxy_on_vm_start: fn("root_context_id, vm_configuration_size", R),
  proxy_validate_configuration: fn("root_context_id, configuration_size", R),
  proxy_on_configure: fn("root_context_id, configuration_size", R),
  proxy_on_tick: fn("root_context_id"),
  proxy_on_queue_ready: fn("root_context_id, queue_id"),
  proxy_on_foreign_function: fn("root_context_id, function_id, arguments_size"),
  proxy_on_new_connection: fn("context_id", R),
  proxy_on_downstream_data: fn("context_id, data_size, end_of_stream", R),
  proxy_on_upstream_data: fn("context_id, data_size, end_of_stream", R),
  proxy_on_downstream_connection_close: fn("context_id, peer_type"),
  proxy_on_upstream_connection_close: fn("context_id, peer_type"),
  proxy_on_request_headers: {
    ...fn("context_id, headers, end_of_stream", R),
    older: { "0.1.0": fn("context_id, headers", R) },
  },
  proxy_on_request_body: fn("context_id, body_size, end_of_stream", R),
  proxy_on_request_trailers: fn("context_id, trailers", R),
  proxy_on_request_metadata: fn("context_id, elements", R),
  proxy_on_response_headers: {
    ...fn("context_id, headers, end_of_stream", R),
    older: { "0.1.0": fn("context_id, headers", R) },
  },
  proxy_on_response_body: fn("context_id, body_size, end_of_stream", R),
  proxy_on_response_trailers: fn("context_id, trailers", R),
  proxy_on_response_metadata: fn("context_id, elements", R),
  proxy_on_http_call_response: fn("root_context_id, token, headers, body_size, trailers"),
  proxy_on_grpc_receive_initial_metadata: fn("root_context_id, token, elements"),
  proxy_on_grpc_receive: fn("root_context_id, token, message_size"),
  proxy_on_grpc_receive_trailing_metadata: fn("root_context_id, token, elements"),
  proxy_on_grpc_close: fn("root_context_id, token, status_code"),
  proxy_on_log: fn("context_id"),
  proxy_on_done: fn("context_id", R),
  proxy_on_delete: fn("context_id"),
};

/**
 * The other exports a host looks up: the toolchains' start-up functions and `malloc`, which a
 * host prefers to `proxy_on_memory_allocate` when a module has both. The SDK's modules export
 * `_initialize` and no `malloc`.
 * @type {Record<string, Signature>}
 */
export const ENTRY_POINTS = {
  _initialize: fn(""),
  _start: fn(""),
  main: fn("argc, argv", R),
  __main_void: fn("", R),
  malloc: fn("size", R),
};

/** The callbacks of one ABI version with the signature it gives them. */
export function callbacks(version) {
  return Object.fromEntries(
    Object.entries(CALLBACKS).map(([name, c]) => [name, c.older?.[version] ?? c]),
  );
}

// ---------------------------------------------------------------------------------------------
// Hostcalls, as proxy-wasm-cpp-host registers them (src/wasm.cc registerCallbacks,
// include/proxy-wasm/exports.h) and Envoy links them. `abi` lists the versions that have the
// call; `runtime` marks the few functions a host registers for toolchain runtimes rather than
// for Proxy-Wasm (no SDK module imports them); `duringStart` and `inAllocator` mark the calls a
// host allows while `_initialize` runs and while it is inside the module's allocator (any other
// call traps then).

/**
 * @typedef {Signature & { abi: string[], runtime?: boolean, duringStart?: boolean,
 *   inAllocator?: boolean }} Hostcall
 */

const ALL = ABI_VERSIONS;
const SINCE_020 = ["0.2.0", "0.2.1"];

/** @type {Record<string, Hostcall>} */
export const HOSTCALLS = {
  // Logging, time and the effective context.
  proxy_log: {
    ...fn("level, message_ptr, message_size", R),
    abi: ALL,
    duringStart: true,
    inAllocator: true,
  },
  proxy_get_log_level: { ...fn("return_level", R), abi: ["0.2.1"] },
  proxy_get_current_time_nanoseconds: { ...fn("return_time", R), abi: ALL },
  proxy_set_tick_period_milliseconds: { ...fn("millisecond", R), abi: ALL },
  proxy_set_effective_context: { ...fn("context_id", R), abi: ALL },
  proxy_done: { ...fn("", R), abi: ALL },
  proxy_get_status: {
    ...fn("return_code, return_message_ptr, return_message_size", R),
    abi: ALL,
  },
  // Properties and configuration.
  proxy_get_property: {
    ...fn("path_ptr, path_size, return_value_ptr, return_value_size", R),
    abi: ALL,
  },
  proxy_set_property: { ...fn("path_ptr, path_size, value_ptr, value_size", R), abi: ALL },
  proxy_get_configuration: {
    ...fn("return_buffer_data, return_buffer_size", R),
    abi: ["0.1.0"],
  },
  // Buffers.
  proxy_get_buffer_bytes: {
    ...fn("buffer_type, start, max_size, return_buffer_data, return_buffer_size", R),
    abi: ALL,
  },
  proxy_get_buffer_status: { ...fn("buffer_type, return_length, return_flags", R), abi: ALL },
  proxy_set_buffer_bytes: {
    ...fn("buffer_type, start, size, buffer_data, buffer_size", R),
    abi: ALL,
  },
  // Header and metadata maps.
  proxy_get_header_map_pairs: { ...fn("map_type, return_ptr, return_size", R), abi: ALL },
  proxy_set_header_map_pairs: { ...fn("map_type, ptr, size", R), abi: ALL },
  proxy_get_header_map_value: {
    ...fn("map_type, key_ptr, key_size, return_value_ptr, return_value_size", R),
    abi: ALL,
  },
  proxy_add_header_map_value: {
    ...fn("map_type, key_ptr, key_size, value_ptr, value_size", R),
    abi: ALL,
  },
  proxy_replace_header_map_value: {
    ...fn("map_type, key_ptr, key_size, value_ptr, value_size", R),
    abi: ALL,
  },
  proxy_remove_header_map_value: { ...fn("map_type, key_ptr, key_size", R), abi: ALL },
  proxy_get_header_map_size: { ...fn("map_type, return_size", R), abi: ALL },
  // Stream control and local replies.
  proxy_continue_stream: { ...fn("stream_type", R), abi: SINCE_020 },
  proxy_close_stream: { ...fn("stream_type", R), abi: SINCE_020 },
  proxy_continue_request: { ...fn("", R), abi: ["0.1.0"] },
  proxy_continue_response: { ...fn("", R), abi: ["0.1.0"] },
  proxy_clear_route_cache: { ...fn("", R), abi: ["0.1.0"] },
  proxy_send_local_response: {
    ...fn(
      "status_code, details_ptr, details_size, body_ptr, body_size, headers_ptr, headers_size, grpc_status",
      R,
    ),
    abi: ALL,
  },
  // HTTP and gRPC callouts.
  proxy_http_call: {
    ...fn(
      "upstream_ptr, upstream_size, headers_ptr, headers_size, body_ptr, body_size, trailers_ptr, trailers_size, timeout_milliseconds, return_token",
      R,
    ),
    abi: ALL,
  },
  proxy_grpc_call: {
    ...fn(
      "upstream_ptr, upstream_size, service_ptr, service_size, method_ptr, method_size, metadata_ptr, metadata_size, message_ptr, message_size, timeout_milliseconds, return_token",
      R,
    ),
    abi: ALL,
  },
  proxy_grpc_stream: {
    ...fn(
      "upstream_ptr, upstream_size, service_ptr, service_size, method_ptr, method_size, metadata_ptr, metadata_size, return_token",
      R,
    ),
    abi: ALL,
  },
  proxy_grpc_send: { ...fn("token, message_ptr, message_size, end_stream", R), abi: ALL },
  proxy_grpc_cancel: { ...fn("token", R), abi: ALL },
  proxy_grpc_close: { ...fn("token", R), abi: ALL },
  // Shared data and queues.
  proxy_get_shared_data: {
    ...fn("key_ptr, key_size, return_value_ptr, return_value_size, return_cas", R),
    abi: ALL,
  },
  proxy_set_shared_data: {
    ...fn("key_ptr, key_size, value_ptr, value_size, cas", R),
    abi: ALL,
  },
  proxy_register_shared_queue: { ...fn("name_ptr, name_size, return_id", R), abi: ALL },
  proxy_resolve_shared_queue: {
    ...fn("vm_id_ptr, vm_id_size, name_ptr, name_size, return_id", R),
    abi: ALL,
  },
  proxy_enqueue_shared_queue: { ...fn("queue_id, value_ptr, value_size", R), abi: ALL },
  proxy_dequeue_shared_queue: {
    ...fn("queue_id, return_value_ptr, return_value_size", R),
    abi: ALL,
  },
  // Metrics.
  proxy_define_metric: { ...fn("metric_type, name_ptr, name_size, return_id", R), abi: ALL },
  proxy_increment_metric: { ...fn("metric_id, offset:i64", R), abi: ALL },
  proxy_record_metric: { ...fn("metric_id, value:i64", R), abi: ALL },
  proxy_get_metric: { ...fn("metric_id, return_value", R), abi: ALL },
  // Foreign functions.
  proxy_call_foreign_function: {
    ...fn("name_ptr, name_size, args_ptr, args_size, return_results_ptr, return_results_size", R),
    abi: ALL,
  },
  // For toolchain runtimes (Emscripten's memory growth hook, a pthread stub).
  emscripten_notify_memory_growth: {
    ...fn("memory_index"),
    abi: ALL,
    runtime: true,
    duringStart: true,
  },
  pthread_equal: { ...fn("left, right", R), abi: ALL, runtime: true },
};

/** The `env` hostcalls one ABI version has. */
export function hostcalls(version) {
  return Object.fromEntries(Object.entries(HOSTCALLS).filter(([, h]) => h.abi.includes(version)));
}

/** The modules a host registers the WASI functions under. */
export const WASI_MODULES = ["wasi_snapshot_preview1", "wasi_unstable"];

/**
 * The WASI functions a host provides (to modules built by toolchains that need them; the SDK's
 * modules import none). `duringStart` and `inAllocator` as for HOSTCALLS.
 * @type {Record<string, Signature & { duringStart?: boolean, inAllocator?: boolean }>}
 */
export const WASI_HOSTCALLS = {
  fd_write: {
    ...fn("fd, iovs, iovs_len, return_written", R),
    duringStart: true,
    inAllocator: true,
  },
  fd_read: { ...fn("fd, iovs, iovs_len, return_read", R), duringStart: true },
  fd_seek: { ...fn("fd, offset:i64, whence, return_offset", R), duringStart: true },
  fd_close: { ...fn("fd", R), duringStart: true },
  fd_fdstat_get: { ...fn("fd, return_stat", R), duringStart: true },
  fd_fdstat_set_flags: { ...fn("fd, flags", R), duringStart: true },
  fd_prestat_get: { ...fn("fd, return_prestat", R), duringStart: true },
  fd_prestat_dir_name: { ...fn("fd, path_ptr, path_size", R), duringStart: true },
  fd_filestat_get: { ...fn("fd, return_stat", R), duringStart: true },
  fd_readdir: {
    ...fn("fd, buf_ptr, buf_size, cookie:i64, return_used", R),
    duringStart: true,
  },
  path_open: {
    ...fn(
      "fd, dirflags, path_ptr, path_size, oflags, rights_base:i64, rights_inheriting:i64, fdflags, return_fd",
      R,
    ),
    duringStart: true,
  },
  path_filestat_get: {
    ...fn("fd, flags, path_ptr, path_size, return_stat", R),
    duringStart: true,
  },
  path_create_directory: { ...fn("fd, path_ptr, path_size", R), duringStart: true },
  path_remove_directory: { ...fn("fd, path_ptr, path_size", R), duringStart: true },
  path_unlink_file: { ...fn("fd, path_ptr, path_size", R), duringStart: true },
  path_rename: {
    ...fn("fd, old_path_ptr, old_path_size, new_fd, new_path_ptr, new_path_size", R),
    duringStart: true,
  },
  sock_accept: { ...fn("fd, flags, return_fd", R), duringStart: true },
  sock_recv: {
    ...fn("fd, ri_data, ri_data_len, ri_flags, return_size, return_flags", R),
    duringStart: true,
  },
  sock_send: {
    ...fn("fd, si_data, si_data_len, si_flags, return_size", R),
    duringStart: true,
  },
  sock_shutdown: { ...fn("fd, how", R), duringStart: true },
  environ_get: { ...fn("environ, environ_buf", R), duringStart: true },
  environ_sizes_get: { ...fn("return_count, return_size", R), duringStart: true },
  args_get: { ...fn("argv, argv_buf", R), duringStart: true },
  args_sizes_get: { ...fn("return_count, return_size", R), duringStart: true },
  clock_time_get: {
    ...fn("clock_id, precision:i64, return_time", R),
    duringStart: true,
    inAllocator: true,
  },
  clock_res_get: { ...fn("clock_id, return_resolution", R), duringStart: true },
  random_get: { ...fn("buf, buf_len", R), duringStart: true },
  poll_oneoff: {
    ...fn("in, out, nsubscriptions, return_events", R),
    duringStart: true,
    inAllocator: true,
  },
  sched_yield: fn("", R),
  proc_exit: fn("code"),
};

// ---------------------------------------------------------------------------------------------
// Generated files.

const HEADER =
  "// Generated by scripts/abi.mjs from its table: do not edit, run `node scripts/abi.mjs`.";

/** A doc comment at `indent`, or nothing. */
function doc(text, indent = "") {
  return text ? [`${indent}/** ${text} */`] : [];
}

/** One enum under `name`, its members named by `memberName`, then any `aliases`. */
function renderEnum(e, name, memberName, docOf, aliases = []) {
  return [
    ...doc(docOf(e)),
    `export enum ${name} {`,
    ...e.members.flatMap((m) => [...doc(docOf(m), "  "), `  ${memberName(m)} = ${m.value},`]),
    ...aliases.map((a) => `  ${a.name} = ${a.value},`),
    "}",
    "",
  ];
}

function sdkDoc(item) {
  return item.doc;
}

function hostDoc(item) {
  return item.hostDoc ?? item.doc;
}

function renderSdkEnums() {
  return [
    HEADER,
    "// The ABI's enumerations with Envoy's numbering (docs/abi.md §5), named as the host emulator",
    "// (src/host/enums.ts) and the Rust SDK name them. Code written for @solo-io/proxy-runtime gets its",
    "// `*Values` names from assembly/compat/values.ts.",
    "",
    ...ENUMS.flatMap((e) => renderEnum(e, e.name, (m) => m.name, sdkDoc)),
  ];
}

function renderCompatValues() {
  return [
    HEADER,
    "// The ABI enumerations under the names and member names of @solo-io/proxy-runtime (`*Values`),",
    "// for code written for it. The SDK's own names are in ../abi/enums.ts; the values are the same.",
    "",
    ...ENUMS.flatMap((e) =>
      renderEnum(e, `${e.name}Values`, (m) => m.solo ?? m.name, sdkDoc, e.soloAliases),
    ),
  ];
}

function renderHostEnums() {
  return [
    HEADER,
    "// The ABI's enumerations with Envoy's numbering (docs/abi.md §5), under the same names as the",
    "// SDK's (assembly/abi/enums.ts), so a test reads like the filter it tests.",
    "",
    "/** The ABI versions a module can declare through its marker export, oldest first. */",
    `export const ABI_VERSIONS = [${ABI_VERSIONS.map((v) => JSON.stringify(v)).join(", ")}] as const;`,
    "export type AbiVersion = (typeof ABI_VERSIONS)[number];",
    "",
    ...ENUMS.flatMap((e) => renderEnum(e, e.name, (m) => m.name, hostDoc)),
  ];
}

/** `{ params: [I, I], results: [I] }` for a signature. */
function funcType(sig) {
  const short = { i32: "I", i64: "L" };
  const list = (types) => `[${types.map((t) => short[t] ?? JSON.stringify(t)).join(", ")}]`;
  return `params: ${list(sig.params.map((p) => p.type))}, results: ${list(sig.results)}`;
}

/** `(a, b: i64) -> i32`, a comment naming a signature's parameters. */
function described(sig) {
  const params = sig.params.map((p) => (p.type === "i32" ? p.name : `${p.name}: ${p.type}`));
  return `(${params.join(", ")}) -> ${sig.results.join(", ") || "nothing"}`;
}

function flags(entry) {
  return ["duringStart", "inAllocator"].filter((f) => entry[f]).map((f) => `${f}: true`);
}

function renderHostSignatures() {
  const versions = (list) =>
    list.length === ABI_VERSIONS.length
      ? "ALL"
      : `[${list.map((v) => JSON.stringify(v)).join(", ")}]`;
  const lines = [
    HEADER,
    "// What the host checks at load time (docs/abi.md §1–3): the hostcalls each ABI version links,",
    "// the exports it looks up with the signature it requires, and which hostcalls it allows while",
    "// `_initialize` runs or while it is inside the module's allocator (every other one traps then).",
    'import type { FuncType } from "./binary.js";',
    'import { ABI_VERSIONS, type AbiVersion } from "./enums.js";',
    "",
    'const I = "i32" as const;',
    'const L = "i64" as const;',
    "const ALL = ABI_VERSIONS;",
    "",
    "/** A hostcall: its wasm type, the versions that link it, and when it may run. */",
    "interface Hostcall extends FuncType {",
    "  abi: readonly AbiVersion[];",
    "  duringStart?: boolean;",
    "  inAllocator?: boolean;",
    "}",
    "",
    "/** The `env` hostcalls of every version. */",
    "const ENV: Record<string, Hostcall> = {",
  ];
  for (const [name, h] of Object.entries(HOSTCALLS)) {
    lines.push(
      `  /** ${described(h)} */`,
      `  ${name}: { ${[funcType(h), `abi: ${versions(h.abi)}`, ...flags(h)].join(", ")} },`,
    );
  }
  lines.push(
    "};",
    "",
    "/** The WASI functions, the same under each of WASI_MODULES. */",
    "const WASI: Record<string, FuncType & { duringStart?: boolean; inAllocator?: boolean }> = {",
  );
  for (const [name, w] of Object.entries(WASI_HOSTCALLS)) {
    lines.push(
      `  /** ${described(w)} */`,
      `  ${name}: { ${[funcType(w), ...flags(w)].join(", ")} },`,
    );
  }
  lines.push(
    "};",
    "",
    "/** The callbacks with their current signatures; `older` where a version differed. */",
    "const CALLBACKS: Record<string, FuncType & { older?: Partial<Record<AbiVersion, FuncType>> }> = {",
  );
  for (const [name, c] of Object.entries(CALLBACKS)) {
    const older = Object.entries(c.older ?? {}).map(
      ([v, sig]) => `${JSON.stringify(v)}: { ${funcType(sig)} }`,
    );
    const parts = [funcType(c), ...(older.length ? [`older: { ${older.join(", ")} }`] : [])];
    lines.push(`  /** ${described(c)} */`, `  ${name}: { ${parts.join(", ")} },`);
  }
  lines.push(
    "};",
    "",
    "/** The toolchains' entry points and `malloc`, which the host looks up besides the callbacks. */",
    "const ENTRY_POINTS: Record<string, FuncType> = {",
  );
  for (const [name, e] of Object.entries(ENTRY_POINTS)) {
    lines.push(`  ${name}: { ${funcType(e)} },`);
  }
  lines.push(
    "};",
    "",
    "function funcType(t: FuncType): FuncType {",
    "  return { params: t.params, results: t.results };",
    "}",
    "",
    "/** The `env` hostcalls registered for one ABI version. */",
    "export function envHostcalls(version: AbiVersion): Record<string, FuncType> {",
    "  const out: Record<string, FuncType> = {};",
    "  for (const [name, call] of Object.entries(ENV)) {",
    "    if (call.abi.includes(version)) out[name] = funcType(call);",
    "  }",
    "  return out;",
    "}",
    "",
    `/** The modules the WASI functions are registered under. */`,
    `export const WASI_MODULES = [${WASI_MODULES.map((m) => JSON.stringify(m)).join(", ")}];`,
    "",
    "/** The WASI functions, registered under each of WASI_MODULES. */",
    "export const WASI_HOSTCALLS: Record<string, FuncType> = Object.fromEntries(",
    "  Object.entries(WASI).map(([name, call]) => [name, funcType(call)]),",
    ");",
    "",
    "function hostcall(module: string, name: string) {",
    '  return WASI_MODULES.includes(module) ? WASI[name] : module === "env" ? ENV[name] : undefined;',
    "}",
    "",
    "/** Whether a hostcall may run during `_initialize` / `_start` / `main`. */",
    "export function allowedDuringStart(module: string, name: string): boolean {",
    "  return hostcall(module, name)?.duringStart === true;",
    "}",
    "",
    "/** Whether a hostcall may run while the host is inside the module's allocator. */",
    "export function allowedInAllocator(module: string, name: string): boolean {",
    "  return hostcall(module, name)?.inAllocator === true;",
    "}",
    "",
    "/** The exports the host calls, with the signature it requires. */",
    "export function exportSignatures(version: AbiVersion): Record<string, FuncType> {",
    "  const out: Record<string, FuncType> = {};",
    "  for (const [name, entry] of Object.entries(ENTRY_POINTS)) out[name] = funcType(entry);",
    "  for (const [name, callback] of Object.entries(CALLBACKS)) {",
    "    out[name] = funcType(callback.older?.[version] ?? callback);",
    "  }",
    "  return out;",
    "}",
    "",
    "/** The marker export of each ABI version. */",
    "export const ABI_MARKERS: Record<string, AbiVersion> = {",
    ...ABI_VERSIONS.map((v) => `  ${abiMarker(v)}: ${JSON.stringify(v)},`),
    "};",
    "",
  );
  return lines;
}

/** Throws with what is wrong when the table contradicts itself. */
export function checkTable() {
  const problems = [];
  const unique = (what, names) => {
    const seen = new Set();
    for (const name of names) {
      if (seen.has(name)) problems.push(`${what} ${name} appears twice`);
      seen.add(name);
    }
  };
  unique(
    "enum",
    ENUMS.map((e) => e.name),
  );
  for (const e of ENUMS) {
    unique(
      `${e.name} member`,
      e.members.map((m) => m.name),
    );
    unique(`${e.name}Values member`, [
      ...e.members.map((m) => m.solo ?? m.name),
      ...(e.soloAliases ?? []).map((a) => a.name),
    ]);
    for (const a of e.soloAliases ?? []) {
      if (!e.members.some((m) => m.value === a.value)) {
        problems.push(`${e.name}Values.${a.name} = ${a.value} is an alias of no member`);
      }
    }
    unique(
      `${e.name} value`,
      e.members.map((m) => m.value),
    );
    for (const m of e.members) {
      if (!Number.isInteger(m.value)) problems.push(`${e.name}.${m.name} is not an integer`);
    }
  }
  for (const [name, h] of Object.entries(HOSTCALLS)) {
    if (h.abi.length === 0) problems.push(`hostcall ${name} is in no ABI version`);
    for (const v of h.abi) {
      if (!ABI_VERSIONS.includes(v)) problems.push(`hostcall ${name}: unknown ABI version ${v}`);
    }
  }
  for (const [name, c] of Object.entries(CALLBACKS)) {
    for (const v of Object.keys(c.older ?? {})) {
      if (!ABI_VERSIONS.includes(v)) problems.push(`callback ${name}: unknown ABI version ${v}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`scripts/abi.mjs: the table contradicts itself:\n  ${problems.join("\n  ")}`);
  }
}

const root = (path) => fileURLToPath(new URL(`../${path}`, import.meta.url));

/** Each generated file and how to write it. */
export const GENERATED = [
  { target: root("assembly/abi/enums.ts"), lines: renderSdkEnums },
  { target: root("assembly/compat/values.ts"), lines: renderCompatValues },
  { target: root("src/host/enums.ts"), lines: renderHostEnums },
  { target: root("src/host/signatures.ts"), lines: renderHostSignatures },
];

/** The text the table gives for `target`, formatted as the repository's prettier settings say. */
export async function render(target) {
  const file = GENERATED.find((g) => g.target === target);
  if (!file) throw new Error(`${target} is not generated by scripts/abi.mjs`);
  checkTable();
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(target)) ?? {};
  return prettier.format(file.lines().join("\n"), { ...options, filepath: target });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    checkTable();
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
  for (const { target } of GENERATED) {
    const text = await render(target);
    let before = "";
    try {
      before = readFileSync(target, "utf8");
    } catch {}
    if (before !== text) writeFileSync(target, text);
    process.stdout.write(`${before === text ? "unchanged" : "wrote"} ${target}\n`);
  }
}
