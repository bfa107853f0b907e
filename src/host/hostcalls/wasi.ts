// The WASI subset cpp-host provides (`src/exports.cc` wasi_unstable_*): fd_write to the log,
// clocks from the virtual clock, random_get, configured environment, and stubs.
import { randomFillSync } from "node:crypto";
import { LogLevel } from "../enums.js";
import { HostTrap } from "../errors.js";
import { contextOf, type Hostcall } from "./types.js";

const SUCCESS = 0;
const BADF = 8;
const INVAL = 28;
const NOTSUP = 58;
const NOSYS = 52;
/** cpp-host PROXY_WASM_HOST_WASI_RANDOM_GET_MAX_SIZE_BYTES */
const RANDOM_GET_MAX = 64 * 1024;

function environ(env: Record<string, string>): Buffer[] {
  return Object.entries(env).map(([k, v]) => Buffer.from(`${k}=${v}\0`, "utf8"));
}

const stub: Hostcall = () => NOSYS;

export const wasiHostcalls: Record<string, Hostcall> = {
  fd_write(vm, fd: number, iovs: number, iovsLen: number, nwrittenPtr: number) {
    const parts: Buffer[] = [];
    for (let i = 0; i < iovsLen >>> 0; i++) {
      const p = vm.memory.u32(iovs + i * 8);
      const l = vm.memory.u32(iovs + i * 8 + 4);
      parts.push(vm.memory.read(p, l));
    }
    const data = Buffer.concat(parts);
    if (fd !== 1 && fd !== 2) return BADF;
    let msg = data.toString("utf8");
    if (msg.endsWith("\n")) msg = msg.slice(0, -1);
    vm.host.pluginLog(fd === 1 ? LogLevel.Info : LogLevel.Error, msg, vm, contextOf(vm));
    vm.memory.setU32(nwrittenPtr, data.length);
    return SUCCESS;
  },

  fd_read: stub,
  fd_seek: stub,
  fd_close: stub,
  fd_fdstat_set_flags: stub,
  fd_filestat_get: stub,
  fd_readdir: stub,
  path_open: stub,
  path_filestat_get: stub,
  path_create_directory: stub,
  path_remove_directory: stub,
  path_unlink_file: stub,
  path_rename: stub,
  sock_accept: stub,
  sock_recv: stub,
  sock_send: stub,
  sock_shutdown: stub,

  fd_fdstat_get(vm, fd: number, statPtr: number) {
    if (fd !== 1 && fd !== 2) return BADF;
    // fdstat: u8 filetype (2 = character device), u16 flags, u64 rights base, u64 rights inheriting.
    vm.memory.write(statPtr, Buffer.alloc(24));
    vm.memory.write(statPtr, Buffer.from([2]));
    return SUCCESS;
  },

  fd_prestat_get() {
    return BADF; // no preopened directories
  },

  fd_prestat_dir_name() {
    return NOSYS;
  },

  environ_sizes_get(vm, countPtr: number, sizePtr: number) {
    const e = environ(vm.env);
    vm.memory.setU32(countPtr, e.length);
    vm.memory.setU32(
      sizePtr,
      e.reduce((n, b) => n + b.length, 0),
    );
    return SUCCESS;
  },

  environ_get(vm, ptrsPtr: number, bufPtr: number) {
    let p = bufPtr >>> 0;
    environ(vm.env).forEach((b, i) => {
      vm.memory.setU32(ptrsPtr + i * 4, p);
      vm.memory.write(p, b);
      p += b.length;
    });
    return SUCCESS;
  },

  args_sizes_get(vm, countPtr: number, sizePtr: number) {
    vm.memory.setU32(countPtr, 0);
    vm.memory.setU32(sizePtr, 0);
    return SUCCESS;
  },

  args_get() {
    return SUCCESS;
  },

  clock_time_get(vm, id: number, _precision: bigint, retPtr: number) {
    if (id === 0) vm.memory.setU64(retPtr, vm.host.clock.nowNanos());
    else if (id === 1) vm.memory.setU64(retPtr, vm.host.clock.monotonicNanos());
    else return NOTSUP;
    return SUCCESS;
  },

  clock_res_get(vm, id: number, retPtr: number) {
    if (id !== 0 && id !== 1) return NOTSUP;
    vm.memory.setU64(retPtr, 1n);
    return SUCCESS;
  },

  random_get(vm, ptr: number, len: number) {
    if (len >>> 0 > RANDOM_GET_MAX) return INVAL;
    const b = Buffer.alloc(len >>> 0);
    randomFillSync(b);
    vm.memory.write(ptr, b);
    return SUCCESS;
  },

  poll_oneoff(vm, _in: number, _out: number, _n: number, neventsPtr: number) {
    vm.memory.setU32(neventsPtr, 0);
    return SUCCESS;
  },

  sched_yield() {
    return SUCCESS;
  },

  proc_exit(_vm, code: number) {
    // Nothing may run after proc_exit: unwind like a trap.
    throw new HostTrap(`proc_exit(${code})`);
  },
};
