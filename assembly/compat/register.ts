import { RootContextBase } from "../contexts/root_context_base";
import { RootFactory, addRootFactory } from "../dispatch/registry";
import { RootContext } from "./root_context";

/** Registers the root context factory for plugins whose `root_id` is `name`. */
export function registerRootContext(factory: () => RootContext, name: string): void {
  addRootFactory(new RootFactory(name, null, changetype<() => RootContextBase>(factory)));
}
