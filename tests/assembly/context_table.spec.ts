import { BaseContext } from "../../assembly/contexts/base_context";
import { tableDelete, tableGet, tableSet, tableSize } from "../../assembly/dispatch/context_table";

// One table per module: each test uses ids of its own range and leaves the table empty.
describe("context table", () => {
  it("stores, finds and forgets contexts by id", () => {
    const a = new BaseContext(1);
    tableSet(a);
    expect(tableGet(1)).toBe(a);
    expect(tableGet(2)).toBeNull();
    tableDelete(1);
    expect(tableGet(1)).toBeNull();
    expect(tableSize()).toBe(0);
  });

  it("keeps every entry reachable through growth and deletions", () => {
    const contexts = new Array<BaseContext>();
    for (let id: u32 = 1001; id <= 1500; id++) {
      const c = new BaseContext(id);
      contexts.push(c);
      tableSet(c);
    }
    expect(tableSize()).toBe(500);
    // delete every third id, then check all the others are still found
    for (let id: u32 = 1002; id <= 1500; id += 3) tableDelete(id);
    for (let id: u32 = 1001; id <= 1500; id++) {
      const found = tableGet(id);
      if (id >= 1002 && (id - 1002) % 3 == 0) {
        expect(found).toBeNull();
      } else {
        expect(found).toBe(contexts[id - 1001]);
      }
    }
    expect(tableSize()).toBe(500 - 167); // 1002, 1005, … 1500
    for (let id: u32 = 1001; id <= 1500; id++) tableDelete(id);
    expect(tableSize()).toBe(0);
  });

  it("handles ids that collide in the hash", () => {
    // ids that differ only in high bits land in the same bucket after masking
    const ids: u32[] = [1 << 16, 2 << 16, 3 << 16, 4 << 16, 5 << 16, 6 << 16];
    for (let i = 0; i < ids.length; i++) tableSet(new BaseContext(ids[i]));
    tableDelete(2 << 16);
    for (let i = 0; i < ids.length; i++) {
      const found = tableGet(ids[i]);
      if (ids[i] == 2 << 16) expect(found).toBeNull();
      else expect(found!.contextId).toBe(ids[i]);
    }
    for (let i = 0; i < ids.length; i++) tableDelete(ids[i]);
    expect(tableSize()).toBe(0);
  });
});
