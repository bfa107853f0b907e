import {
  arg0Len,
  arg0Ptr,
  arg1Len,
  arg1Ptr,
  encode1,
  encode2,
  lineLength,
  lineNumber,
  linePtr,
  lineStart,
  lineText,
} from "../../assembly/runtime/utf8";

function text(ptr: usize, len: usize): string {
  return String.UTF8.decodeUnsafe(ptr, len);
}

describe("UTF-8 scratch encoding", () => {
  it("encodes ASCII, 2-, 3- and 4-byte characters", () => {
    encode1("a é 名 😀");
    expect(arg0Len).toBe(1 + 1 + 2 + 1 + 3 + 1 + 4);
    expect(text(arg0Ptr, arg0Len)).toBe("a é 名 😀");
  });

  it("encodes two strings back to back without overlap", () => {
    encode2("key-ключ", "value");
    expect(arg1Ptr).toBe(arg0Ptr + arg0Len);
    expect(text(arg0Ptr, arg0Len)).toBe("key-ключ");
    expect(text(arg1Ptr, arg1Len)).toBe("value");
  });

  it("grows the scratch block for long strings", () => {
    const long = "x".repeat(10000) + "名";
    encode1(long);
    expect(arg0Len).toBe(10003);
    expect(text(arg0Ptr, arg0Len)).toBe(long);
  });

  it("encodes the empty string as zero bytes", () => {
    encode1("");
    expect(arg0Len).toBe(0);
  });

  it("builds log lines with decimal numbers", () => {
    lineStart();
    lineText("ctx ");
    lineNumber(0);
    lineText(" ");
    lineNumber(4294967295);
    lineText(" ");
    lineNumber(10);
    expect(text(linePtr(), lineLength())).toBe("ctx 0 4294967295 10");
  });
});
