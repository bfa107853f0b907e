// Signatures the host checks at load time: the hostcalls each ABI version registers (cpp-host
// `src/wasm.cc` registerCallbacks, `include/proxy-wasm/exports.h`) and the exports it looks up
// (`include/proxy-wasm/wasm.h` FOR_ALL_MODULE_FUNCTIONS, `src/wasm.cc` getFunctions).
import type { FuncType, ValType } from "./binary.js";
import type { AbiVersion } from "./enums.js";

const I = "i32" as const;
const L = "i64" as const;

function sig(params: ValType[] | number, results: ValType[] = [I]): FuncType {
  return { params: typeof params === "number" ? Array<ValType>(params).fill(I) : params, results };
}

/** Hostcalls every version registers under `env`. */
const COMMON: Record<string, FuncType> = {
  proxy_log: sig(3),
  proxy_get_current_time_nanoseconds: sig(1),
  proxy_set_tick_period_milliseconds: sig(1),
  proxy_get_property: sig(4),
  proxy_set_property: sig(4),
  proxy_get_buffer_bytes: sig(5),
  proxy_get_buffer_status: sig(3),
  proxy_set_buffer_bytes: sig(5),
  proxy_get_header_map_pairs: sig(3),
  proxy_set_header_map_pairs: sig(3),
  proxy_get_header_map_value: sig(5),
  proxy_add_header_map_value: sig(5),
  proxy_replace_header_map_value: sig(5),
  proxy_remove_header_map_value: sig(3),
  proxy_get_header_map_size: sig(2),
  proxy_send_local_response: sig(8),
  proxy_http_call: sig(10),
  proxy_grpc_call: sig(12),
  proxy_grpc_stream: sig(9),
  proxy_grpc_send: sig(4),
  proxy_grpc_cancel: sig(1),
  proxy_grpc_close: sig(1),
  proxy_get_status: sig(3),
  proxy_get_shared_data: sig(5),
  proxy_set_shared_data: sig(5),
  proxy_register_shared_queue: sig(3),
  proxy_resolve_shared_queue: sig(5),
  proxy_enqueue_shared_queue: sig(3),
  proxy_dequeue_shared_queue: sig(3),
  proxy_define_metric: sig(4),
  proxy_increment_metric: sig([I, L]),
  proxy_record_metric: sig([I, L]),
  proxy_get_metric: sig(2),
  proxy_set_effective_context: sig(1),
  proxy_done: sig(0),
  proxy_call_foreign_function: sig(6),
  emscripten_notify_memory_growth: sig(1, []),
  pthread_equal: sig(2),
};

const V010: Record<string, FuncType> = {
  proxy_get_configuration: sig(2),
  proxy_continue_request: sig(0),
  proxy_continue_response: sig(0),
  proxy_clear_route_cache: sig(0),
};

const V020: Record<string, FuncType> = {
  proxy_continue_stream: sig(1),
  proxy_close_stream: sig(1),
};

const V021: Record<string, FuncType> = { ...V020, proxy_get_log_level: sig(1) };

/** The `env` hostcalls registered for one ABI version. */
export function envHostcalls(version: AbiVersion): Record<string, FuncType> {
  const extra = version === "0.1.0" ? V010 : version === "0.2.0" ? V020 : V021;
  return { ...COMMON, ...extra };
}

/** WASI functions, registered under both `wasi_snapshot_preview1` and `wasi_unstable`. */
export const WASI_HOSTCALLS: Record<string, FuncType> = {
  fd_write: sig(4),
  fd_read: sig(4),
  fd_seek: sig([I, L, I, I]),
  fd_close: sig(1),
  fd_fdstat_get: sig(2),
  fd_fdstat_set_flags: sig(2),
  fd_prestat_get: sig(2),
  fd_prestat_dir_name: sig(3),
  fd_filestat_get: sig(2),
  fd_readdir: sig([I, I, I, L, I]),
  path_open: sig([I, I, I, I, I, L, L, I, I]),
  path_filestat_get: sig(5),
  path_create_directory: sig(3),
  path_remove_directory: sig(3),
  path_unlink_file: sig(3),
  path_rename: sig(6),
  sock_accept: sig(3),
  sock_recv: sig(6),
  sock_send: sig(5),
  sock_shutdown: sig(2),
  environ_get: sig(2),
  environ_sizes_get: sig(2),
  args_get: sig(2),
  args_sizes_get: sig(2),
  clock_time_get: sig([I, L, I]),
  clock_res_get: sig(2),
  random_get: sig(2),
  poll_oneoff: sig(4),
  sched_yield: sig(0),
  proc_exit: sig(1, []),
};

export const WASI_MODULES = ["wasi_snapshot_preview1", "wasi_unstable"];

/** Hostcalls allowed during `_initialize` / `_start` / `main` (cpp-host `src/v8/v8.cc`). */
export function allowedDuringStart(module: string, name: string): boolean {
  if (WASI_MODULES.includes(module)) return name !== "proc_exit" && name !== "sched_yield";
  return name === "proxy_log" || name === "emscripten_notify_memory_growth";
}

/** Hostcalls allowed while the host is inside the module's allocator. */
export function allowedInAllocator(module: string, name: string): boolean {
  if (WASI_MODULES.includes(module))
    return name === "fd_write" || name === "clock_time_get" || name === "poll_oneoff";
  return name === "proxy_log";
}

/** The exports the host calls, with the signature it requires. */
export function exportSignatures(version: AbiVersion): Record<string, FuncType> {
  const headers = version === "0.1.0" ? sig(2) : sig(3);
  return {
    _initialize: sig(0, []),
    _start: sig(0, []),
    main: sig(2),
    __main_void: sig(0),
    malloc: sig(1),
    proxy_on_memory_allocate: sig(1),
    proxy_on_context_create: sig(2, []),
    proxy_on_vm_start: sig(2),
    proxy_validate_configuration: sig(2),
    proxy_on_configure: sig(2),
    proxy_on_tick: sig(1, []),
    proxy_on_new_connection: sig(1),
    proxy_on_downstream_data: sig(3),
    proxy_on_upstream_data: sig(3),
    proxy_on_downstream_connection_close: sig(2, []),
    proxy_on_upstream_connection_close: sig(2, []),
    proxy_on_request_headers: headers,
    proxy_on_request_body: sig(3),
    proxy_on_request_trailers: sig(2),
    proxy_on_request_metadata: sig(2),
    proxy_on_response_headers: headers,
    proxy_on_response_body: sig(3),
    proxy_on_response_trailers: sig(2),
    proxy_on_response_metadata: sig(2),
    proxy_on_http_call_response: sig(5, []),
    proxy_on_grpc_receive_initial_metadata: sig(3, []),
    proxy_on_grpc_receive: sig(3, []),
    proxy_on_grpc_receive_trailing_metadata: sig(3, []),
    proxy_on_grpc_close: sig(3, []),
    proxy_on_queue_ready: sig(2, []),
    proxy_on_foreign_function: sig(3, []),
    proxy_on_log: sig(1, []),
    proxy_on_done: sig(1),
    proxy_on_delete: sig(1, []),
  };
}

export const ABI_MARKERS: Record<string, AbiVersion> = {
  proxy_abi_version_0_1_0: "0.1.0",
  proxy_abi_version_0_2_0: "0.2.0",
  proxy_abi_version_0_2_1: "0.2.1",
};
