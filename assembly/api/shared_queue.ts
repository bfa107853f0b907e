import {
  proxy_dequeue_shared_queue,
  proxy_enqueue_shared_queue,
  proxy_register_shared_queue,
  proxy_resolve_shared_queue,
} from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { RETURN_LEN, RETURN_PTR, RETURN_U32, clearReturned, takeBuffer } from "../dispatch/memory";
import { arg0Len, arg0Ptr, arg1Len, arg1Ptr, encode1, encode2 } from "../dispatch/utf8";

let lastQueueId: u32 = 0;

/** The id written by the last successful `registerSharedQueue` / `resolveSharedQueue`. */
export function lastSharedQueueId(): u32 {
  return lastQueueId;
}

/**
 * Registers queue `name` for this VM id; the current root context then gets `onQueueReady`
 * when items arrive. Returns the queue id, or 0 on failure.
 */
export function registerSharedQueue(name: string): u32 {
  encode1(name);
  if (proxy_register_shared_queue(arg0Ptr, arg0Len, RETURN_U32) != WasmResult.Ok) return 0;
  lastQueueId = load<u32>(RETURN_U32);
  return lastQueueId;
}

/** The id of queue `name` of VM `vm_id` ("" for this VM), or 0 when it is not registered. */
export function resolveSharedQueue(vm_id: string, name: string): u32 {
  encode2(vm_id, name);
  const result = proxy_resolve_shared_queue(arg0Ptr, arg0Len, arg1Ptr, arg1Len, RETURN_U32);
  if (result != WasmResult.Ok) return 0;
  lastQueueId = load<u32>(RETURN_U32);
  return lastQueueId;
}

/** Adds `data` to queue `queue_id`. */
export function enqueueSharedQueue(queue_id: u32, data: ArrayBuffer): WasmResult {
  return <WasmResult>proxy_enqueue_shared_queue(queue_id, changetype<usize>(data), data.byteLength);
}

/** Takes the oldest item of queue `queue_id`, or null when it is empty or unknown. */
export function dequeueSharedQueue(queue_id: u32): ArrayBuffer | null {
  clearReturned();
  if (proxy_dequeue_shared_queue(queue_id, RETURN_PTR, RETURN_LEN) != WasmResult.Ok) {
    return null;
  }
  return takeBuffer();
}

/** @solo-io/proxy-runtime's names. */
export function register_shared_queue(queue_name: string): u32 {
  return registerSharedQueue(queue_name);
}
export function resolve_shared_queue(vm_id: string, queue_name: string): u32 {
  return resolveSharedQueue(vm_id, queue_name);
}
export function enqueue_shared_queue(queue_id: u32, data: ArrayBuffer): WasmResult {
  return enqueueSharedQueue(queue_id, data);
}
export function dequeue_shared_queue(queue_id: u32): ArrayBuffer | null {
  return dequeueSharedQueue(queue_id);
}
