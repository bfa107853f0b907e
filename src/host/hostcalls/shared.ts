// Shared data and shared queues (cpp-host `src/exports.cc`, `src/shared_data.cc`, `src/shared_queue.cc`).
import { WasmResult } from "../enums.js";
import { contextOf, type Hostcall } from "./types.js";

export const sharedHostcalls: Record<string, Hostcall> = {
  proxy_get_shared_data(
    vm,
    kPtr: number,
    kLen: number,
    ptrPtr: number,
    lenPtr: number,
    casPtr: number,
  ) {
    const key = vm.memory.readString(kPtr, kLen);
    const e = vm.host.sharedStore.get(vm.vmId, key);
    if (!e) return WasmResult.NotFound;
    vm.memory.writeBlob(e.value, ptrPtr, lenPtr);
    vm.memory.setU32(casPtr, e.cas);
    return WasmResult.Ok;
  },

  proxy_set_shared_data(vm, kPtr: number, kLen: number, vPtr: number, vLen: number, cas: number) {
    const key = vm.memory.readString(kPtr, kLen);
    const value = vm.memory.read(vPtr, vLen);
    return vm.host.sharedStore.set(vm.vmId, key, value, cas >>> 0);
  },

  proxy_register_shared_queue(vm, nPtr: number, nLen: number, idPtr: number) {
    const name = vm.memory.readString(nPtr, nLen);
    const ctx = contextOf(vm);
    if (!ctx) return WasmResult.NotFound;
    const root = ctx.root;
    const id = vm.host.queues.register(vm.vmId, name, {
      notify: (queueId) =>
        vm.host.post(() => {
          if (root.state !== "deleted") vm.call(root, "proxy_on_queue_ready", root.id, queueId);
        }),
    });
    vm.memory.setU32(idPtr, id);
    return WasmResult.Ok;
  },

  proxy_resolve_shared_queue(
    vm,
    vPtr: number,
    vLen: number,
    nPtr: number,
    nLen: number,
    idPtr: number,
  ) {
    const vmId = vm.memory.readString(vPtr, vLen);
    const name = vm.memory.readString(nPtr, nLen);
    // An empty vm_id means the caller's own.
    const id = vm.host.queues.resolve(vmId === "" ? vm.vmId : vmId, name);
    if (id === undefined) return WasmResult.NotFound;
    vm.memory.setU32(idPtr, id);
    return WasmResult.Ok;
  },

  proxy_enqueue_shared_queue(vm, id: number, ptr: number, len: number) {
    const value = vm.memory.read(ptr, len);
    return vm.host.queues.enqueue(id >>> 0, value);
  },

  proxy_dequeue_shared_queue(vm, id: number, ptrPtr: number, lenPtr: number) {
    const r = vm.host.queues.dequeue(id >>> 0);
    if (r.result !== WasmResult.Ok) return r.result;
    vm.memory.writeBlob(r.value!, ptrPtr, lenPtr);
    return WasmResult.Ok;
  },
};
