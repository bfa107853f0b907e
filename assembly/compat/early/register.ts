import { RootContextBase } from "../../contexts/root_context_base";
import { RootFactory, addRootFactory } from "../../dispatch/registry";
import { RootContext } from "./contexts";

/**
 * Registers the root context factory for plugins whose `root_id` is `name`. The factory may take
 * the context id or not (`() => RootContextHelper.wrap(new MyRoot())`); the runtime sets the id.
 */
export function registerRootContext(factory: (context_id: u32) => RootContext, name: string): void {
  addRootFactory(
    new RootFactory(name, changetype<(context_id: u32) => RootContextBase>(factory), null),
  );
}
