// The pairs wire format the host uses for header maps and metadata (docs/abi.md §4):
// u32 count, then count × (u32 key length, u32 value length), then each key and value followed
// by a NUL byte. All little-endian.
import { decodeString, encodeString } from "../dispatch/utf8_codec";

/** One header or metadata entry, as raw bytes (usually UTF-8 text). */
export class HeaderPair {
  /** The name's bytes. */
  key: ArrayBuffer;
  /** The value's bytes. */
  value: ArrayBuffer;

  constructor(key: ArrayBuffer, value: ArrayBuffer) {
    this.key = key;
    this.value = value;
  }

  /** A pair from two strings, encoded as UTF-8. */
  static of(key: string, value: string): HeaderPair {
    return new HeaderPair(encodeString(key), encodeString(value));
  }

  /** The key decoded as UTF-8. */
  get keyText(): string {
    return decodeString(this.key);
  }

  /** The value decoded as UTF-8. */
  get valueText(): string {
    return decodeString(this.value);
  }

  /** `name: value`, for logs. */
  toString(): string {
    return this.keyText + ": " + this.valueText;
  }
}

/** A list of header or metadata entries, in order, repeated names allowed. */
export type Headers = Array<HeaderPair>;

/** Builds a `Headers` list from alternating names and values: `makeHeaders(["a", "1", "b", "2"])`. */
export function makeHeaders(namesAndValues: string[]): Headers {
  const out = new Array<HeaderPair>();
  for (let i = 0; i + 1 < namesAndValues.length; i += 2) {
    out.push(HeaderPair.of(namesAndValues[i], namesAndValues[i + 1]));
  }
  return out;
}

/** The first value of `name` in `headers` (names compared exactly), or null. */
export function findHeader(headers: Headers, name: string): string | null {
  const key = encodeString(name);
  for (let i = 0; i < headers.length; i++) {
    const pair = headers[i];
    if (sameBytes(pair.key, key)) return pair.valueText;
  }
  return null;
}

function sameBytes(a: ArrayBuffer, b: ArrayBuffer): bool {
  const n = a.byteLength;
  if (n != b.byteLength) return false;
  return memory.compare(changetype<usize>(a), changetype<usize>(b), <usize>n) == 0;
}

/** The serialized size of `headers` in bytes. */
export function pairsSize(headers: Headers): usize {
  let size: usize = 4;
  for (let i = 0; i < headers.length; i++) {
    const pair = headers[i];
    size += 8 + <usize>pair.key.byteLength + 1 + <usize>pair.value.byteLength + 1;
  }
  return size;
}

/** Serializes `headers` into the pairs format. */
export function serializeHeaders(headers: Headers): ArrayBuffer {
  const count = headers.length;
  const out = new ArrayBuffer(<i32>pairsSize(headers));
  const base = changetype<usize>(out);
  store<u32>(base, <u32>count);
  let sizes = base + 4;
  let data = base + 4 + <usize>count * 8;
  for (let i = 0; i < count; i++) {
    const pair = headers[i];
    const keyLen = <usize>pair.key.byteLength;
    const valueLen = <usize>pair.value.byteLength;
    store<u32>(sizes, <u32>keyLen);
    store<u32>(sizes + 4, <u32>valueLen);
    sizes += 8;
    memory.copy(data, changetype<usize>(pair.key), keyLen);
    data += keyLen;
    store<u8>(data++, 0);
    memory.copy(data, changetype<usize>(pair.value), valueLen);
    data += valueLen;
    store<u8>(data++, 0);
  }
  return out;
}

/**
 * Parses `len` bytes at `ptr` in the pairs format. Malformed input (counts or lengths that run
 * past the end, missing NULs) gives an empty list instead of a trap, as the host does.
 */
export function deserializeHeaders(ptr: usize, len: usize): Headers {
  const out = new Array<HeaderPair>();
  if (len < 4) return out;
  const count = <usize>load<u32>(ptr);
  if (count > (len - 4) / 10) return out; // each pair needs at least 8 size bytes and 2 NULs
  let sizes = ptr + 4;
  let data = sizes + count * 8;
  const end = ptr + len;
  for (let i: usize = 0; i < count; i++) {
    const keyLen = <usize>load<u32>(sizes);
    const valueLen = <usize>load<u32>(sizes + 4);
    sizes += 8;
    if (
      keyLen > end - data ||
      valueLen > end - data - keyLen ||
      end - data - keyLen - valueLen < 2
    ) {
      return new Array<HeaderPair>();
    }
    const key = new ArrayBuffer(<i32>keyLen);
    memory.copy(changetype<usize>(key), data, keyLen);
    data += keyLen + 1;
    const value = new ArrayBuffer(<i32>valueLen);
    memory.copy(changetype<usize>(value), data, valueLen);
    data += valueLen + 1;
    out.push(new HeaderPair(key, value));
  }
  return out;
}

/** Parses a pairs-format ArrayBuffer (for example a property value holding a map). */
export function parsePairs(buffer: ArrayBuffer): Headers {
  return deserializeHeaders(changetype<usize>(buffer), <usize>buffer.byteLength);
}
