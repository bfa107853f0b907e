import { jsonSyntaxError } from "../../assembly/api/json";

describe("JSON syntax check", () => {
  it("accepts well-formed values", () => {
    expect(jsonSyntaxError('{"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"], "b": {}}')).toBe(
      null,
    );
    expect(jsonSyntaxError("  42 ")).toBe(null);
    expect(jsonSyntaxError('"text"')).toBe(null);
    expect(jsonSyntaxError("[]")).toBe(null);
  });

  it("rejects malformed input with a position", () => {
    expect(jsonSyntaxError('{"a": 1,}')).toBe("expected a quoted key at offset 8");
    expect(jsonSyntaxError('{"a" 1}')).toBe("expected ':' at offset 5");
    expect(jsonSyntaxError("[1, 2")).not.toBe(null);
    expect(jsonSyntaxError('"open')).toBe("unterminated string at offset 5");
    expect(jsonSyntaxError("01")).not.toBe(null);
    expect(jsonSyntaxError("tru")).not.toBe(null);
    expect(jsonSyntaxError("")).toBe("unexpected end at offset 0");
    expect(jsonSyntaxError('{"a": "\\q"}')).not.toBe(null);
    expect(jsonSyntaxError("[".repeat(100) + "]".repeat(100))).toBe(
      "nesting deeper than 64 at offset 65",
    );
  });
});
