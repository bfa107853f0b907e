import {
  HeaderPair,
  deserializeHeaders,
  findHeader,
  makeHeaders,
  pairsSize,
  parsePairs,
  serializeHeaders,
} from "../../assembly/api/pairs";

function bytes(values: u8[]): ArrayBuffer {
  const out = new ArrayBuffer(values.length);
  for (let i = 0; i < values.length; i++) store<u8>(changetype<usize>(out) + i, values[i]);
  return out;
}

describe("pairs format", () => {
  it("serializes counts, sizes, then NUL-terminated keys and values", () => {
    const wire = serializeHeaders(makeHeaders(["a", "1", "bc", ""]));
    // 4 + (8 + 1+1 + 1+1) + (8 + 2+1 + 0+1)
    expect(wire.byteLength).toBe(28);
    expect(pairsSize(makeHeaders(["a", "1", "bc", ""]))).toBe(28);
    const expected = bytes([
      2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0x61, 0, 0x31, 0, 0x62, 0x63, 0,
      0,
    ]);
    expect(memory.compare(changetype<usize>(wire), changetype<usize>(expected), 28)).toBe(0);
  });

  it("round-trips repeated names and multi-byte UTF-8", () => {
    const headers = makeHeaders(["set-cookie", "a=1", "set-cookie", "b=2", "x-名前", "値 ✓"]);
    const back = parsePairs(serializeHeaders(headers));
    expect(back.length).toBe(3);
    expect(back[0].keyText).toBe("set-cookie");
    expect(back[1].valueText).toBe("b=2");
    expect(back[2].keyText).toBe("x-名前");
    expect(back[2].valueText).toBe("値 ✓");
    expect(findHeader(back, "x-名前")).toBe("値 ✓");
    expect(findHeader(back, "missing")).toBeNull();
  });

  it("serializes an empty list as a zero count", () => {
    const wire = serializeHeaders(new Array<HeaderPair>());
    expect(wire.byteLength).toBe(4);
    expect(parsePairs(wire).length).toBe(0);
  });

  it("reads truncated or inconsistent input as an empty list instead of trapping", () => {
    const good = serializeHeaders(makeHeaders(["key", "value"]));
    // cut the last byte (the value's NUL)
    expect(deserializeHeaders(changetype<usize>(good), good.byteLength - 1).length).toBe(0);
    // a count far larger than the bytes could hold
    expect(parsePairs(bytes([255, 255, 255, 255, 0, 0, 0, 0])).length).toBe(0);
    // a key length running past the end
    expect(parsePairs(bytes([1, 0, 0, 0, 200, 0, 0, 0, 0, 0, 0, 0, 0x61, 0, 0])).length).toBe(0);
    // fewer than four bytes
    expect(parsePairs(bytes([1, 0])).length).toBe(0);
  });
});
