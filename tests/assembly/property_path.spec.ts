import { encodePropertyPath } from "../../assembly/api/properties";

function hex(buffer: ArrayBuffer): string {
  let out = "";
  const p = changetype<usize>(buffer);
  for (let i = 0; i < buffer.byteLength; i++) out += load<u8>(p + i).toString(16) + " ";
  return out;
}

describe("property paths", () => {
  it("joins segments with single NUL bytes and no trailing NUL", () => {
    const path = encodePropertyPath(["request", "path"]);
    expect(path.byteLength).toBe(12);
    expect(load<u8>(changetype<usize>(path) + 7)).toBe(0);
    expect(String.UTF8.decode(path)).toBe("request\0path");
  });

  it("keeps dots inside a segment", () => {
    const path = encodePropertyPath(["metadata", "filter_metadata", "envoy.lb"]);
    expect(String.UTF8.decode(path)).toBe("metadata\0filter_metadata\0envoy.lb");
  });

  it("encodes a single segment unchanged", () => {
    expect(hex(encodePropertyPath(["plugin_root_id"]))).toBe(
      hex(String.UTF8.encode("plugin_root_id")),
    );
  });
});
