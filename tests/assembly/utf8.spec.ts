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
} from "../../assembly/dispatch/utf8";
import { decodeString, encodeString } from "../../assembly/dispatch/utf8_codec";

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

function bytesOf(values: u8[]): ArrayBuffer {
  const out = new ArrayBuffer(values.length);
  for (let i = 0; i < values.length; i++) store<u8>(changetype<usize>(out) + i, values[i]);
  return out;
}

function hexOf(buffer: ArrayBuffer): string {
  let out = "";
  for (let i = 0; i < buffer.byteLength; i++) {
    const b = load<u8>(changetype<usize>(buffer) + i);
    out += (b < 16 ? "0" : "") + b.toString(16);
  }
  return out;
}

describe("UTF-8 codec", () => {
  it("round-trips every width of character", () => {
    const text = "a é 名 😀 \u0000 \u07ff \u0800 \uffff";
    expect(decodeString(encodeString(text))).toBe(text);
    expect(hexOf(encodeString("é名😀"))).toBe("c3a9" + "e5908d" + "f09f9880");
  });

  it("encodes a lone surrogate as U+FFFD, as TextEncoder does", () => {
    expect(hexOf(encodeString("a\ud800b"))).toBe("61efbfbd62");
    expect(hexOf(encodeString("\udc00"))).toBe("efbfbd");
    expect(hexOf(encodeString("x\ud83d"))).toBe("78efbfbd");
  });

  it("decodes malformed input as U+FFFD instead of dropping or trapping", () => {
    expect(decodeString(bytesOf([0x61, 0x80, 0x62]))).toBe("a\ufffdb"); // stray continuation
    expect(decodeString(bytesOf([0xe5, 0x90]))).toBe("\ufffd"); // cut short at the end
    expect(decodeString(bytesOf([0xe5, 0x41]))).toBe("\ufffdA"); // cut short by ASCII
    expect(decodeString(bytesOf([0xff]))).toBe("\ufffd"); // never a lead byte
    expect(decodeString(bytesOf([0xed, 0xa0, 0x80]))).toBe("\ufffd"); // encoded surrogate
    expect(decodeString(bytesOf([0xf4, 0x90, 0x80, 0x80]))).toBe("\ufffd"); // above U+10FFFF
  });

  it("rejects overlong forms, so an encoded '/' cannot slip past a path check", () => {
    expect(decodeString(bytesOf([0xc0, 0xaf]))).toBe("\ufffd");
    expect(decodeString(bytesOf([0xe0, 0x80, 0xaf]))).toBe("\ufffd");
    expect(decodeString(bytesOf([0xf0, 0x80, 0x80, 0xaf]))).toBe("\ufffd");
  });

  it("decodes the empty buffer as the empty string", () => {
    expect(decodeString(new ArrayBuffer(0))).toBe("");
  });
});
