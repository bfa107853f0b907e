// Header bytes through the pairs encoding: every byte sequence comes back as it went in (Envoy
// passes header values through untouched, UTF-8 or not).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  byteLength,
  bytesToString,
  decodePairs,
  encodePairs,
  stringToBytes,
} from "../../src/host/pairs.js";
import { HeaderMap } from "../../src/host/header_map.js";

const samples: [string, Buffer][] = [
  ["ascii", Buffer.from("plain value")],
  ["utf-8 é", Buffer.from("caf\xc3\xa9", "latin1")],
  ["utf-8 日本 and an emoji", Buffer.from("日本 😀")],
  ["latin-1 é (not UTF-8)", Buffer.from([0x63, 0x61, 0x66, 0xe9])],
  ["a lone 0xff", Buffer.from([0x61, 0xff, 0x62])],
  ["a cut UTF-8 sequence", Buffer.from([0xe6, 0x97])],
  ["an overlong slash", Buffer.from([0xc0, 0xaf])],
  ["an encoded surrogate", Buffer.from([0xed, 0xa0, 0x80])],
  ["a real U+FFFD beside a bad byte", Buffer.from([0xef, 0xbf, 0xbd, 0x80])],
  ["every byte 0x80…0xff", Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i))],
];

describe("pairs: header bytes", () => {
  for (const [name, bytes] of samples) {
    it(`${name} round-trips byte for byte`, () => {
      const s = bytesToString(bytes);
      assert.deepEqual(stringToBytes(s), bytes);
      assert.equal(byteLength(s), bytes.length);
      const [[k, v]] = decodePairs(encodePairs([["x-v", bytes]]));
      assert.equal(k, "x-v");
      assert.deepEqual(stringToBytes(v), bytes);
      // …and once more through a string, as the header map hostcalls do.
      assert.deepEqual(decodePairs(encodePairs([["x-v", v]])), [["x-v", v]]);
    });
  }

  it("valid UTF-8 is plain text (what tests write and read)", () => {
    assert.equal(bytesToString(Buffer.from("héllo 日本")), "héllo 日本");
    assert.deepEqual(encodePairs([["k", "日本"]]), encodePairs([["k", Buffer.from("日本")]]));
  });

  it("HeaderMap.byteSize counts the bytes a non-UTF-8 value stands for", () => {
    const m = new HeaderMap([["x", bytesToString(Buffer.from([0xe9, 0xff]))]]);
    assert.equal(m.byteSize(), 3);
  });
});
