// Which context object belongs to each id the host uses, and which root context class to build
// for each plugin root_id.
import { BaseContext } from "../contexts/base_context";
import { RootContextBase } from "../contexts/root_context_base";
import { tableDelete, tableGet, tableSet } from "./context_table";

/** How to build the root context of one root_id (either factory form). */
export class RootFactory {
  constructor(
    public name: string,
    public withId: ((context_id: u32) => RootContextBase) | null,
    public withoutId: (() => RootContextBase) | null,
    public next: RootFactory | null = null,
  ) {}

  build(context_id: u32): RootContextBase {
    const withId = this.withId;
    if (withId !== null) return withId(context_id);
    const root = this.withoutId!();
    root.contextId = context_id;
    return root;
  }
}

// Registration order matters (the first one is the fallback), so new factories go at the end.
let firstFactory: RootFactory | null = null;

/** Adds (or replaces) the factory for `name`. */
export function addRootFactory(factory: RootFactory): void {
  let previous: RootFactory | null = null;
  let current = firstFactory;
  while (current !== null) {
    if (current.name == factory.name) {
      factory.next = current.next;
      break;
    }
    previous = current;
    current = current.next;
  }
  if (previous === null) firstFactory = factory;
  else previous.next = factory;
}

/** The factory for `name`, or null. */
export function findRootFactory(name: string): RootFactory | null {
  let current = firstFactory;
  while (current !== null && current.name != name) current = current.next;
  return current;
}

/** The first registered factory, or null when nothing is registered. */
export function firstRootFactory(): RootFactory | null {
  return firstFactory;
}

/** Remembers `context` under its `context_id`. */
export function putContext(context: BaseContext): void {
  tableSet(context);
}

/** The context with `context_id`, or null. */
export function getContext(context_id: u32): BaseContext | null {
  return tableGet(context_id);
}

/** Forgets the context with `context_id`. */
export function removeContext(context_id: u32): void {
  tableDelete(context_id);
}
