// Contexts by id: a hash table whose chains run through the contexts themselves
// (`BaseContext._nextInTable`). Envoy hands out ids in sequence, so `id & mask` spreads them
// evenly, and chaining needs far less code than open addressing (binary size is a target).
// One table per module, in module globals (no table object to allocate and reach through on
// every callback); the buckets are a managed array held by a global, so the collector sees every
// live context.
import { BaseContext } from "../contexts/base_context";

type Buckets = StaticArray<BaseContext | null>;

function newBuckets(count: i32): Buckets {
  // Not `new StaticArray`: its length check drags error strings into every filter.
  const bytes = (<usize>count) << alignof<usize>();
  const buckets = __new(bytes, idof<Buckets>());
  memory.fill(buckets, 0, bytes);
  return changetype<Buckets>(buckets);
}

let buckets: Buckets = newBuckets(16);
/** Bucket count − 1 (a power of two − 1), kept so lookups read no array length. */
let mask: u32 = 15;
let count: i32 = 0;

/** Number of contexts stored. */
export function tableSize(): i32 {
  return count;
}

/** The context with `id`, or null. */
export function tableGet(id: u32): BaseContext | null {
  // A plain load: this runs on every callback, and the array accessors are calls at -Oz.
  let context = changetype<BaseContext | null>(
    load<usize>(changetype<usize>(buckets) + ((<usize>(id & mask)) << alignof<usize>())),
  );
  while (context !== null && context.contextId != id) context = context._nextInTable;
  return context;
}

/** Stores `context` under its `contextId`, which must not be in the table yet (the host never
 * reuses an id). */
export function tableSet(context: BaseContext): void {
  link(context);
  if (<u32>++count > mask) grow();
}

/** Forgets the context with `id`, if any. */
export function tableDelete(id: u32): void {
  const i = id & mask;
  let previous: BaseContext | null = null;
  let context = unchecked(buckets[i]);
  while (context !== null) {
    const next = context._nextInTable;
    if (context.contextId == id) {
      if (previous === null) unchecked((buckets[i] = next));
      else previous._nextInTable = next;
      context._nextInTable = null;
      count--;
      return;
    }
    previous = context;
    context = next;
  }
}

function link(context: BaseContext): void {
  const i = context.contextId & mask;
  context._nextInTable = unchecked(buckets[i]);
  unchecked((buckets[i] = context));
}

function grow(): void {
  const old = buckets;
  buckets = newBuckets(old.length << 1);
  mask = (mask << 1) | 1;
  for (let i = 0; i < old.length; i++) {
    let context = unchecked(old[i]);
    while (context !== null) {
      const next = context._nextInTable;
      link(context);
      context = next;
    }
  }
}
