// The context-table helpers that @solo-io/proxy-runtime's runtime file exports, answered from
// the SDK's own context table, and its `Reference` cell.
import { BaseContext } from "../contexts/base_context";
import { createContext, deleteContext as forget } from "../dispatch/dispatcher";
import { getContext as contextOf } from "../dispatch/registry";
import { Context, RootContext } from "./contexts";

/** A value with an address, for hostcalls that write a result through a pointer. */
export class Reference<T> {
  data: T;

  /** The address of `data`. */
  ptr(): usize {
    return changetype<usize>(this) + offsetof<Reference<T>>("data");
  }
}

/** The context with `context_id`; null when there is none. */
export function getBaseContext(context_id: u32): BaseContext {
  return changetype<BaseContext>(contextOf(context_id));
}

/** The stream context with `context_id`; null when there is none. */
export function getContext(context_id: u32): Context {
  return changetype<Context>(contextOf(context_id));
}

/** The root context with `context_id`; null when there is none. */
export function getRootContext(context_id: u32): RootContext {
  return changetype<RootContext>(contextOf(context_id));
}

/** The root context with `context_id`, built by the registered factory when it does not exist. */
export function ensureRootContext(root_context_id: u32): RootContext {
  if (contextOf(root_context_id) === null) createContext(root_context_id, 0);
  return getRootContext(root_context_id);
}

/** Builds the stream context `context_id` of root `root_context_id` unless it exists. */
export function ensureContext(context_id: u32, root_context_id: u32): void {
  if (contextOf(context_id) === null) createContext(context_id, root_context_id);
}

/** Deletes the context with `context_id` (its `onDelete` runs). */
export function deleteContext(context_id: u32): void {
  forget(context_id);
}
