import {
  proxy_dequeue_shared_queue,
  proxy_enqueue_shared_queue,
  proxy_register_shared_queue,
  proxy_resolve_shared_queue,
} from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { RETURN_LEN, RETURN_PTR, RETURN_U32, clearReturned, takeBuffer } from "../dispatch/memory";
import { arg0Len, arg0Ptr, arg1Len, arg1Ptr, encode1, encode2 } from "../dispatch/utf8";
import { Result } from "./result";

/**
 * Registers queue `name` for this VM id; the current root context then gets `onQueueReady`
 * when items arrive. Returns the queue id, or (not `ok`) why the host refused.
 */
export function registerSharedQueue(name: string): Result<u32> {
  encode1(name);
  const result = <WasmResult>proxy_register_shared_queue(arg0Ptr, arg0Len, RETURN_U32);
  return new Result<u32>(result, result == WasmResult.Ok ? load<u32>(RETURN_U32) : 0);
}

/**
 * The id of queue `name` of VM `vmId` ("" for this VM); not `ok` (`NotFound`) when it is not
 * registered.
 */
export function resolveSharedQueue(vmId: string, name: string): Result<u32> {
  encode2(vmId, name);
  const result = <WasmResult>(
    proxy_resolve_shared_queue(arg0Ptr, arg0Len, arg1Ptr, arg1Len, RETURN_U32)
  );
  return new Result<u32>(result, result == WasmResult.Ok ? load<u32>(RETURN_U32) : 0);
}

/** Adds `data` to queue `queueId`. Returns Ok or why not (`NotFound`: no such queue). */
export function enqueueSharedQueue(queueId: u32, data: ArrayBuffer): WasmResult {
  return <WasmResult>proxy_enqueue_shared_queue(queueId, changetype<usize>(data), data.byteLength);
}

/**
 * Takes the oldest item of queue `queueId`: null when the queue is empty (or unknown), an empty
 * buffer for an empty item.
 */
export function dequeueSharedQueue(queueId: u32): ArrayBuffer | null {
  clearReturned();
  if (proxy_dequeue_shared_queue(queueId, RETURN_PTR, RETURN_LEN) != WasmResult.Ok) {
    return null;
  }
  return takeBuffer();
}
