// The header/metadata pairs format (abi.md §4, cpp-host `src/pairs_util.cc`):
// u32 N, N × (u32 key_len, u32 val_len), then N × (key, 0x00, value, 0x00); little-endian.

/** cpp-host `PROXY_WASM_HOST_PAIRS_MAX_BYTES`. */
export const PAIRS_MAX_BYTES = 1024 * 1024;
/** cpp-host `PROXY_WASM_HOST_PAIRS_MAX_COUNT`. */
export const PAIRS_MAX_COUNT = 1024;

export type Pair = [string, string];
export type BytePair = [Uint8Array, Uint8Array];

function toBytes(v: string | Uint8Array): Uint8Array {
  return typeof v === "string" ? Buffer.from(v, "utf8") : v;
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

/** `decodePairBytes` with UTF-8 strings. */
export function decodePairs(data: Uint8Array): Pair[] {
  return decodePairBytes(data).map(([k, v]) => [
    Buffer.from(k).toString("utf8"),
    Buffer.from(v).toString("utf8"),
  ]);
}
