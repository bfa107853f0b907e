import { checkJsonSyntax, lastJsonError } from "../../assembly/api/json_config";

describe("JSON syntax check", () => {
  it("accepts well-formed values", () => {
    expect(checkJsonSyntax('{"a": [1, -2.5e3, true, false, null, "x\\n\\u00e9"], "b": {}}')).toBe(
      true,
    );
    expect(checkJsonSyntax("  42 ")).toBe(true);
    expect(checkJsonSyntax('"text"')).toBe(true);
    expect(checkJsonSyntax("[]")).toBe(true);
  });

  it("rejects malformed input with a position", () => {
    expect(checkJsonSyntax('{"a": 1,}')).toBe(false);
    expect(lastJsonError()).toBe("expected a quoted key at offset 8");
    expect(checkJsonSyntax('{"a" 1}')).toBe(false);
    expect(lastJsonError()).toBe("expected ':' at offset 5");
    expect(checkJsonSyntax("[1, 2")).toBe(false);
    expect(checkJsonSyntax('"open')).toBe(false);
    expect(lastJsonError()).toBe("unterminated string at offset 5");
    expect(checkJsonSyntax("01")).toBe(false);
    expect(checkJsonSyntax("tru")).toBe(false);
    expect(checkJsonSyntax("")).toBe(false);
    expect(lastJsonError()).toBe("unexpected end at offset 0");
    expect(checkJsonSyntax('{"a": "\\q"}')).toBe(false);
    expect(checkJsonSyntax("[".repeat(100) + "]".repeat(100))).toBe(false);
  });
});
