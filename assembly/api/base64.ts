// Base64 (RFC 4648 §4, standard alphabet with padding), for credentials and binary header values.
// AssemblyScript's standard library has none.
import { decodeString, encodeString } from "../dispatch/utf8_codec";

/** Encodes `data` as base64 with padding. */
export function base64Encode(data: ArrayBuffer): string {
  // A local, not a module constant: filters that never encode carry no alphabet.
  const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const bytes = Uint8Array.wrap(data);
  const parts = new Array<string>();
  for (let i = 0; i < bytes.length; i += 3) {
    const rest = bytes.length - i;
    const chunk =
      ((<u32>bytes[i]) << 16) |
      (rest > 1 ? (<u32>bytes[i + 1]) << 8 : 0) |
      (rest > 2 ? <u32>bytes[i + 2] : 0);
    parts.push(ALPHABET.charAt((chunk >> 18) & 63));
    parts.push(ALPHABET.charAt((chunk >> 12) & 63));
    parts.push(rest > 1 ? ALPHABET.charAt((chunk >> 6) & 63) : "=");
    parts.push(rest > 2 ? ALPHABET.charAt(chunk & 63) : "=");
  }
  return parts.join("");
}

/** Encodes the UTF-8 bytes of `text` as base64. */
export function base64EncodeString(text: string): string {
  return base64Encode(encodeString(text));
}

function sextet(c: i32): i32 {
  if (c >= 0x41 && c <= 0x5a) return c - 0x41; // A-Z
  if (c >= 0x61 && c <= 0x7a) return c - 0x61 + 26; // a-z
  if (c >= 0x30 && c <= 0x39) return c - 0x30 + 52; // 0-9
  if (c == 0x2b) return 62; // +
  if (c == 0x2f) return 63; // /
  return -1;
}

/**
 * Decodes padded base64. Returns null for anything else (a length that is not a multiple of 4,
 * a character outside the alphabet, misplaced padding), since such input usually comes from a
 * client and is not to be trusted.
 */
export function base64Decode(text: string): ArrayBuffer | null {
  const n = text.length;
  if (n % 4 != 0) return null;
  let padding = 0;
  if (n > 0 && text.charCodeAt(n - 1) == 0x3d) padding++;
  if (n > 1 && text.charCodeAt(n - 2) == 0x3d) padding++;
  const out = new Uint8Array((n / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < n; i += 4) {
    const last = i + 4 == n;
    const a = sextet(text.charCodeAt(i));
    const b = sextet(text.charCodeAt(i + 1));
    const c3 = text.charCodeAt(i + 2);
    const c4 = text.charCodeAt(i + 3);
    const c = last && padding == 2 && c3 == 0x3d ? 0 : sextet(c3);
    const d = last && padding >= 1 && c4 == 0x3d ? 0 : sextet(c4);
    if (a < 0 || b < 0 || c < 0 || d < 0) return null;
    const chunk = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = <u8>(chunk >> 16);
    if (o < out.length) out[o++] = <u8>(chunk >> 8);
    if (o < out.length) out[o++] = <u8>chunk;
  }
  return out.buffer;
}

/** Decodes base64 into UTF-8 text, or null when it is not valid base64. */
export function base64DecodeString(text: string): string | null {
  const bytes = base64Decode(text);
  return bytes !== null ? decodeString(bytes) : null;
}
