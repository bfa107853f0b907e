// Contexts by id: an open-addressing hash table with linear probing. Smaller and faster than the
// generic Map for the one key type we need. Values sit in a managed array so the garbage
// collector sees every live context.
import { BaseContext } from "../base_context";

/** A table from context id (never 0) to context. */
export class ContextTable {
  private keys: StaticArray<u32> = new StaticArray<u32>(16);
  private values: StaticArray<BaseContext | null> = new StaticArray<BaseContext | null>(16);
  private count: i32 = 0;

  get size(): i32 {
    return this.count;
  }

  private slot(id: u32): i32 {
    const mask = this.keys.length - 1;
    let i = (<i32>(id * 0x9e3779b1)) & mask;
    while (true) {
      const key = unchecked(this.keys[i]);
      if (key == id || key == 0) return i;
      i = (i + 1) & mask;
    }
  }

  /** The context with `id`, or null. */
  get(id: u32): BaseContext | null {
    return unchecked(this.values[this.slot(id)]);
  }

  /** Stores `context` under `id` (replacing any earlier one). */
  set(id: u32, context: BaseContext): void {
    const i = this.slot(id);
    if (unchecked(this.keys[i]) == 0) {
      unchecked((this.keys[i] = id));
      this.count++;
    }
    unchecked((this.values[i] = context));
    if (this.count * 2 > this.keys.length) this.grow();
  }

  /** Forgets `id`; shifts the entries after it back so probing stays correct. */
  delete(id: u32): void {
    let i = this.slot(id);
    if (unchecked(this.keys[i]) == 0) return;
    const mask = this.keys.length - 1;
    let j = i;
    while (true) {
      j = (j + 1) & mask;
      const key = unchecked(this.keys[j]);
      if (key == 0) break;
      const home = (<i32>(key * 0x9e3779b1)) & mask;
      // Move entry j into the hole at i unless its home lies cyclically in (i, j].
      if (i <= j ? home <= i || home > j : home <= i && home > j) {
        unchecked((this.keys[i] = key));
        unchecked((this.values[i] = unchecked(this.values[j])));
        i = j;
      }
    }
    unchecked((this.keys[i] = 0));
    unchecked((this.values[i] = null));
    this.count--;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldValues = this.values;
    const capacity = oldKeys.length << 1;
    this.keys = new StaticArray<u32>(capacity);
    this.values = new StaticArray<BaseContext | null>(capacity);
    this.count = 0;
    for (let i = 0; i < oldKeys.length; i++) {
      const key = unchecked(oldKeys[i]);
      if (key != 0) this.set(key, unchecked(oldValues[i])!);
    }
  }
}
