// Shared data and shared queues under the names and result classes of @solo-io/proxy-runtime
// 0.1.15 and @gcoredev/proxy-wasm-sdk-as, on top of the SDK's shared-data and queue functions.
import { WasmResult } from "../abi/enums";
import { getSharedData, setSharedData } from "../api/shared_data";
import {
  dequeueSharedQueue,
  enqueueSharedQueue,
  registerSharedQueue,
  resolveSharedQueue,
} from "../api/shared_queue";

/** What `get_shared_data` answers: the result, the value (null when absent) and its CAS stamp. */
export class GetSharedData {
  value: ArrayBuffer | null = null;
  result: WasmResult = WasmResult.Ok;
  cas: u32 = 0;
}

/** Reads `key` of the data shared by every plugin and worker of this VM id. */
export function get_shared_data(key: string): GetSharedData {
  const out = new GetSharedData();
  const data = getSharedData(key);
  if (data === null) {
    out.result = WasmResult.NotFound;
  } else {
    out.value = data.value;
    out.cas = data.cas;
  }
  return out;
}

/** Writes `key`; with a `cas` other than 0 it fails with CasMismatch when the value changed. */
export function set_shared_data(key: string, value: ArrayBuffer, cas: u32 = 0): WasmResult {
  return setSharedData(key, value, cas);
}

/** What the queue calls answer: the result and the queue's token. */
export class TokenSharedQueueResult {
  result: WasmResult = WasmResult.Ok;
  token: u32 = 0;
}

/** Registers queue `queue_name` for this VM id; the root context gets `onQueueReady(token)`. */
export function register_shared_queue(queue_name: string): TokenSharedQueueResult {
  const id = registerSharedQueue(queue_name);
  const out = new TokenSharedQueueResult();
  out.result = id.status;
  out.token = id.value;
  return out;
}

/** Finds queue `queue_name` of VM `vm_id`. */
export function resolve_shared_queue(vm_id: string, queue_name: string): TokenSharedQueueResult {
  const id = resolveSharedQueue(vm_id, queue_name);
  const out = new TokenSharedQueueResult();
  out.result = id.status;
  out.token = id.value;
  return out;
}

/** What `dequeue_shared_queue` answers: the result and the item (null when there was none). */
export class DequeueSharedQueueResult {
  result: WasmResult = WasmResult.Ok;
  data: ArrayBuffer | null = null;
}

/** Takes the oldest item of queue `token`. */
export function dequeue_shared_queue(token: u32): DequeueSharedQueueResult {
  const out = new DequeueSharedQueueResult();
  out.data = dequeueSharedQueue(token);
  if (out.data === null) out.result = WasmResult.Empty;
  return out;
}

/** Adds `data` to queue `token`. */
export function enqueue_shared_queue(token: u32, data: ArrayBuffer): WasmResult {
  return enqueueSharedQueue(token, data);
}
