import { BaseContext } from "../../assembly/contexts/base_context";
import { ContextTable } from "../../assembly/dispatch/context_table";

describe("ContextTable", () => {
  it("stores, finds and forgets contexts by id", () => {
    const table = new ContextTable();
    const a = new BaseContext(1);
    table.set(a);
    expect(table.get(1)).toBe(a);
    expect(table.get(2)).toBeNull();
    table.delete(1);
    expect(table.get(1)).toBeNull();
    expect(table.size).toBe(0);
  });

  it("keeps every entry reachable through growth and deletions", () => {
    const table = new ContextTable();
    const contexts = new Array<BaseContext>();
    for (let id: u32 = 1; id <= 500; id++) {
      const c = new BaseContext(id);
      contexts.push(c);
      table.set(c);
    }
    expect(table.size).toBe(500);
    // delete every third id, then check all the others are still found
    for (let id: u32 = 3; id <= 500; id += 3) table.delete(id);
    for (let id: u32 = 1; id <= 500; id++) {
      const found = table.get(id);
      if (id % 3 == 0) {
        expect(found).toBeNull();
      } else {
        expect(found).toBe(contexts[id - 1]);
      }
    }
    expect(table.size).toBe(500 - 166);
  });

  it("handles ids that collide in the hash", () => {
    const table = new ContextTable();
    // ids that differ only in high bits land near each other after masking
    const ids: u32[] = [16, 32, 48, 64, 80, 96];
    for (let i = 0; i < ids.length; i++) table.set(new BaseContext(ids[i]));
    table.delete(32);
    for (let i = 0; i < ids.length; i++) {
      const found = table.get(ids[i]);
      if (ids[i] == 32) expect(found).toBeNull();
      else expect(found!.contextId).toBe(ids[i]);
    }
  });
});
