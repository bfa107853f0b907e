// The header/metadata pairs format (abi.md §4, cpp-host `src/pairs_util.cc`):
// u32 N, N × (u32 key_len, u32 val_len), then N × (key, 0x00, value, 0x00); little-endian.
import { isUtf8 } from "node:buffer";

/** cpp-host `PROXY_WASM_HOST_PAIRS_MAX_BYTES`. */
export const PAIRS_MAX_BYTES = 1024 * 1024;
/** cpp-host `PROXY_WASM_HOST_PAIRS_MAX_COUNT`. */
export const PAIRS_MAX_COUNT = 1024;

export type Pair = [string, string];
export type BytePair = [Uint8Array, Uint8Array];

// Header names and values are bytes: Envoy passes them between the client, the filter and the
// upstream untouched, whatever they are. The emulator keeps them as JS strings, so the strings
// carry bytes losslessly: valid UTF-8 is decoded as text (what a test writes and reads), and each
// byte that is not part of valid UTF-8 becomes a lone low surrogate U+DC80…U+DCFF (the
// "surrogateescape" of Python's os.fsdecode), which `stringToBytes` turns back into that byte.

const SURROGATE = /[\uD800-\uDFFF]/;

/** Whether `s` may hold a byte that is not UTF-8 (a lone surrogate): only then is it special. */
export function holdsRawBytes(s: string): boolean {
  return SURROGATE.test(s);
}

/** Bytes → the emulator's string: UTF-8 text, any other byte b as the lone surrogate 0xDC00 + b. */
export function bytesToString(bytes: Uint8Array): string {
  const b = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const text = b.toString("utf8");
  // U+FFFD in the text is either a real one (valid UTF-8) or where a byte did not decode.
  if (!text.includes("\uFFFD") || isUtf8(b)) return text;
  let out = "";
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    let n = 0;
    let cp = 0;
    if (c < 0x80) {
      out += String.fromCharCode(c);
      i++;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      cp = c & 0x07;
    }
    let ok = n > 0 && i + n < b.length;
    for (let k = 1; ok && k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (d & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if (
      ok &&
      ((n === 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n === 3 && (cp < 0x10000 || cp > 0x10ffff)))
    )
      ok = false;
    if (!ok) {
      out += String.fromCharCode(0xdc00 + c);
      i++;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += n + 1;
  }
  return out;
}

/** The emulator's string → bytes: UTF-8, each lone U+DC80…U+DCFF as the byte it stands for. */
export function stringToBytes(s: string): Buffer {
  if (!holdsRawBytes(s)) return Buffer.from(s, "utf8");
  const parts: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        for (const x of Buffer.from(s.slice(i, i + 2), "utf8")) parts.push(x);
        i++;
        continue;
      }
    }
    if (c >= 0xdc80 && c <= 0xdcff) parts.push(c - 0xdc00);
    else for (const x of Buffer.from(s[i], "utf8")) parts.push(x);
  }
  return Buffer.from(parts);
}

/** The number of bytes `stringToBytes(s)` gives. */
export function byteLength(s: string): number {
  return holdsRawBytes(s) ? stringToBytes(s).length : Buffer.byteLength(s, "utf8");
}

function toBytes(v: string | Uint8Array): Uint8Array {
  return typeof v === "string" ? stringToBytes(v) : v;
}

/** Serializes pairs. An empty list gives an empty buffer (the host hands it out as ptr 0, len 0). */
export function encodePairs(
  pairs: ReadonlyArray<readonly [string | Uint8Array, string | Uint8Array]>,
): Buffer {
  if (pairs.length === 0) return Buffer.alloc(0);
  const bytes = pairs.map(([k, v]) => [toBytes(k), toBytes(v)] as const);
  let size = 4;
  for (const [k, v] of bytes) size += 8 + k.length + 1 + v.length + 1;
  const out = Buffer.alloc(size);
  out.writeUInt32LE(pairs.length, 0);
  let pos = 4;
  for (const [k, v] of bytes) {
    out.writeUInt32LE(k.length, pos);
    out.writeUInt32LE(v.length, pos + 4);
    pos += 8;
  }
  for (const [k, v] of bytes) {
    out.set(k, pos);
    pos += k.length + 1;
    out.set(v, pos);
    pos += v.length + 1;
  }
  return out;
}

/**
 * Parses pairs strictly, as cpp-host does: over the size or count limit, a missing NUL, an
 * overread or trailing bytes all give an empty list, never an error.
 */
export function decodePairBytes(data: Uint8Array): BytePair[] {
  if (data.length < 4 || data.length > PAIRS_MAX_BYTES) return [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const n = view.getUint32(0, true);
  if (n > PAIRS_MAX_COUNT) return [];
  let sizesPos = 4;
  let pos = 4 + n * 8;
  if (pos > data.length) return [];
  const out: BytePair[] = [];
  for (let i = 0; i < n; i++) {
    const kl = view.getUint32(sizesPos, true);
    const vl = view.getUint32(sizesPos + 4, true);
    sizesPos += 8;
    if (pos + kl + 1 > data.length || data[pos + kl] !== 0) return [];
    const k = data.subarray(pos, pos + kl);
    pos += kl + 1;
    if (pos + vl + 1 > data.length || data[pos + vl] !== 0) return [];
    const v = data.subarray(pos, pos + vl);
    pos += vl + 1;
    out.push([k, v]);
  }
  if (pos !== data.length) return [];
  return out;
}

/** `decodePairBytes` as the emulator's strings (`bytesToString`: no byte is lost). */
export function decodePairs(data: Uint8Array): Pair[] {
  return decodePairBytes(data).map(([k, v]) => [bytesToString(k), bytesToString(v)]);
}
