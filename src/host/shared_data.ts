// Shared key/value data, scoped by vm_id, with cpp-host's CAS rules (`src/shared_data.cc`).
import { WasmResult } from "./enums.js";

export interface SharedEntry {
  value: Buffer;
  cas: number;
}

export class SharedData {
  private readonly data = new Map<string, Map<string, SharedEntry>>();
  // cpp-host: one global counter, starts at 1 and skips 0 on wrap.
  private casCounter = 0;

  private nextCas(): number {
    this.casCounter = (this.casCounter + 1) >>> 0;
    if (this.casCounter === 0) this.casCounter = 1;
    return this.casCounter;
  }

  private scope(vmId: string): Map<string, SharedEntry> {
    let m = this.data.get(vmId);
    if (!m) this.data.set(vmId, (m = new Map()));
    return m;
  }

  get(vmId: string, key: string): SharedEntry | undefined {
    return this.data.get(vmId)?.get(key);
  }

  /** cas 0 overwrites; a non-zero cas must match the stored one; a new key always succeeds. */
  set(vmId: string, key: string, value: Uint8Array, cas: number): WasmResult {
    const m = this.scope(vmId);
    const e = m.get(key);
    if (e && cas !== 0 && cas !== e.cas) return WasmResult.CasMismatch;
    m.set(key, { value: Buffer.from(value), cas: this.nextCas() });
    return WasmResult.Ok;
  }

  /** The keys of one vm_id, for inspection. */
  keys(vmId: string): string[] {
    return [...(this.data.get(vmId)?.keys() ?? [])];
  }
}
