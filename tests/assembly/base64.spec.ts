import {
  base64Decode,
  base64DecodeString,
  base64Encode,
  base64EncodeString,
} from "../../assembly/api/base64";

describe("base64", () => {
  it("encodes the RFC 4648 test vectors", () => {
    expect(base64EncodeString("")).toBe("");
    expect(base64EncodeString("f")).toBe("Zg==");
    expect(base64EncodeString("fo")).toBe("Zm8=");
    expect(base64EncodeString("foo")).toBe("Zm9v");
    expect(base64EncodeString("foob")).toBe("Zm9vYg==");
    expect(base64EncodeString("fooba")).toBe("Zm9vYmE=");
    expect(base64EncodeString("foobar")).toBe("Zm9vYmFy");
    expect(base64EncodeString("alice:correct horse")).toBe("YWxpY2U6Y29ycmVjdCBob3JzZQ==");
  });

  it("decodes them back, UTF-8 included", () => {
    expect(base64DecodeString("Zm9vYmFy")).toBe("foobar");
    expect(base64DecodeString("Zm9vYg==")).toBe("foob");
    expect(base64DecodeString("Zm9vYmE=")).toBe("fooba");
    expect(base64DecodeString("")).toBe("");
    expect(base64DecodeString(base64EncodeString("名前 ✓"))).toBe("名前 ✓");
  });

  it("round-trips every byte value", () => {
    const all = new Uint8Array(256);
    for (let i = 0; i < 256; i++) all[i] = <u8>i;
    const back = base64Decode(base64Encode(all.buffer))!;
    expect(back.byteLength).toBe(256);
    expect(memory.compare(changetype<usize>(back), changetype<usize>(all.buffer), 256)).toBe(0);
  });

  it("refuses input that is not padded base64", () => {
    expect(base64Decode("Zm9")).toBeNull(); // length not a multiple of 4
    expect(base64Decode("Zm9v!A==")).toBeNull(); // outside the alphabet
    expect(base64Decode("Zg==Zg==")).toBeNull(); // padding in the middle
    expect(base64Decode("Z===")).toBeNull(); // too much padding
    expect(base64Decode("Zm 9")).toBeNull();
  });
});
