// Contexts by id: a hash table whose chains run through the contexts themselves
// (`BaseContext._nextInTable`). Envoy hands out ids in sequence, so `id & mask` spreads them
// evenly, and chaining needs far less code than open addressing (binary size is a target).
// The buckets are a managed array, so the collector sees every live context.
import { BaseContext } from "../contexts/base_context";

type Buckets = StaticArray<BaseContext | null>;

function newBuckets(count: i32): Buckets {
  // Not `new StaticArray`: its length check drags error strings into every filter.
  const bytes = (<usize>count) << alignof<usize>();
  const buckets = __new(bytes, idof<Buckets>());
  memory.fill(buckets, 0, bytes);
  return changetype<Buckets>(buckets);
}

/** A table from context id to context; a context is stored under its own `context_id`. */
export class ContextTable {
  private buckets: Buckets = newBuckets(16);
  /** Bucket count − 1 (a power of two − 1), kept so lookups read no array length. */
  private mask: u32 = 15;
  private count: i32 = 0;

  /** Number of contexts stored. */
  get size(): i32 {
    return this.count;
  }

  /** The context with `id`, or null. */
  get(id: u32): BaseContext | null {
    // A plain load: this runs on every callback, and the array accessors are calls at -Oz.
    let context = changetype<BaseContext | null>(
      load<usize>(
        changetype<usize>(this.buckets) + ((<usize>(id & this.mask)) << alignof<usize>()),
      ),
    );
    while (context !== null && context.contextId != id) context = context._nextInTable;
    return context;
  }

  /** Stores `context` under its `context_id`, which must not be in the table yet (the host
   * never reuses an id). */
  set(context: BaseContext): void {
    this.link(context);
    if (<u32>++this.count > this.mask) this.grow();
  }

  /** Forgets the context with `id`, if any. */
  delete(id: u32): void {
    const buckets = this.buckets;
    const i = id & this.mask;
    let previous: BaseContext | null = null;
    let context = unchecked(buckets[i]);
    while (context !== null) {
      const next = context._nextInTable;
      if (context.contextId == id) {
        if (previous === null) unchecked((buckets[i] = next));
        else previous._nextInTable = next;
        context._nextInTable = null;
        this.count--;
        return;
      }
      previous = context;
      context = next;
    }
  }

  private link(context: BaseContext): void {
    const buckets = this.buckets;
    const i = context.contextId & this.mask;
    context._nextInTable = unchecked(buckets[i]);
    unchecked((buckets[i] = context));
  }

  private grow(): void {
    const old = this.buckets;
    this.buckets = newBuckets(old.length << 1);
    this.mask = (this.mask << 1) | 1;
    for (let i = 0; i < old.length; i++) {
      let context = unchecked(old[i]);
      while (context !== null) {
        const next = context._nextInTable;
        this.link(context);
        context = next;
      }
    }
  }
}
