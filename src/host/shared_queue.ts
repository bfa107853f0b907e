// Shared queues (cpp-host `src/shared_queue.cc`): keyed by (vm_id, name), ids from 1, register is
// idempotent and the last registrant's root context gets `proxy_on_queue_ready`.
import { WasmResult } from "./enums.js";

export interface QueueOwner {
  /** Posts `proxy_on_queue_ready(root, id)` for later delivery (never during a VM call). */
  notify(queueId: number): void;
}

export interface SharedQueue {
  id: number;
  vmId: string;
  name: string;
  items: Buffer[];
  owner: QueueOwner;
}

export class SharedQueues {
  private nextId = 1;
  private readonly byKey = new Map<string, SharedQueue>();
  private readonly byId = new Map<number, SharedQueue>();

  register(vmId: string, name: string, owner: QueueOwner): number {
    const key = `${vmId}\0${name}`;
    let q = this.byKey.get(key);
    if (q) {
      q.owner = owner;
      return q.id;
    }
    q = { id: this.nextId++, vmId, name, items: [], owner };
    this.byKey.set(key, q);
    this.byId.set(q.id, q);
    return q.id;
  }

  resolve(vmId: string, name: string): number | undefined {
    return this.byKey.get(`${vmId}\0${name}`)?.id;
  }

  enqueue(id: number, value: Uint8Array): WasmResult {
    const q = this.byId.get(id);
    if (!q) return WasmResult.NotFound;
    q.items.push(Buffer.from(value));
    q.owner.notify(id);
    return WasmResult.Ok;
  }

  dequeue(id: number): { result: WasmResult; value?: Buffer } {
    const q = this.byId.get(id);
    if (!q) return { result: WasmResult.NotFound };
    const value = q.items.shift();
    if (value === undefined) return { result: WasmResult.Empty };
    return { result: WasmResult.Ok, value };
  }

  /** For inspection: the queue by id or by (vmId, name). */
  find(idOrVmId: number | string, name?: string): SharedQueue | undefined {
    if (typeof idOrVmId === "number") return this.byId.get(idOrVmId);
    return this.byKey.get(`${idOrVmId}\0${name ?? ""}`);
  }
}
