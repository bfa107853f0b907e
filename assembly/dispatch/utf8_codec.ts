// UTF-16 ⇄ UTF-8 for everything that crosses the ABI. The SDK's own codec instead of
// String.UTF8: about half the code (binary size is one of this SDK's targets), no abort paths,
// and the WHATWG rules Envoy's peers expect: a lone surrogate encodes as U+FFFD, and each
// malformed UTF-8 sequence decodes as one U+FFFD instead of being dropped or trapping.

/** Writes the UTF-8 form of `units` UTF-16 code units at `src` to `dst` (room for 3 bytes per
 * unit needed) and returns the number of bytes written. */
export function encodeUtf8(src: usize, units: usize, dst: usize): usize {
  const start = dst;
  const end = src + (units << 1);
  while (src < end) {
    let c = <u32>load<u16>(src);
    src += 2;
    if (c < 0x80) {
      store<u8>(dst++, <u8>c);
      continue;
    }
    if (c < 0x800) {
      store<u16>(dst, 0xc0 | (c >> 6) | ((0x80 | (c & 63)) << 8));
      dst += 2;
      continue;
    }
    if ((c & 0xfc00) == 0xd800 && src < end) {
      const low = <u32>load<u16>(src);
      if ((low & 0xfc00) == 0xdc00) {
        src += 2;
        c = 0x10000 + ((c & 0x3ff) << 10) + (low & 0x3ff);
        store<u32>(
          dst,
          0xf0 |
            (c >> 18) |
            ((0x80 | ((c >> 12) & 63)) << 8) |
            ((0x80 | ((c >> 6) & 63)) << 16) |
            ((0x80 | (c & 63)) << 24),
        );
        dst += 4;
        continue;
      }
    }
    if ((c & 0xf800) == 0xd800) c = 0xfffd; // a surrogate without its other half
    store<u16>(dst, 0xe0 | (c >> 12) | ((0x80 | ((c >> 6) & 63)) << 8));
    store<u8>(dst, <u8>(0x80 | (c & 63)), 2);
    dst += 3;
  }
  return dst - start;
}

/** Decodes `len` bytes of UTF-8 at `ptr` into a new string. */
export function decodeUtf8(ptr: usize, len: usize): string {
  // Never more UTF-16 units than bytes. Every unit of the result is written below (the rest is
  // cut off), so the SDK's runtime need not zero the room first.
  const out = isDefined(__proxy_rt_new_unzeroed)
    ? __proxy_rt_new_unzeroed(len << 1, idof<String>())
    : __new(len << 1, idof<String>());
  let dst = out;
  const end = ptr + len;
  while (ptr < end) {
    let c = <u32>load<u8>(ptr++);
    if (c >= 0x80) {
      // A lead byte says how many continuation bytes follow; a value below `least` is an
      // overlong form (a classic way to smuggle "/" past a path check).
      let more: u32 = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : <u32>(c >= 0xc0);
      const least: u32 = more == 3 ? 0x10000 : more == 2 ? 0x800 : 0x80;
      let bad = more == 0;
      c &= 0x3f >> more;
      for (; more; more--) {
        const next = ptr < end ? <u32>load<u8>(ptr) : 0;
        if ((next & 0xc0) != 0x80) {
          bad = true;
          break;
        }
        c = (c << 6) | (next & 63);
        ptr++;
      }
      if (bad || c < least || c > 0x10ffff || (c & 0x1ff800) == 0xd800) c = 0xfffd;
    }
    if (c >= 0x10000) {
      c -= 0x10000;
      store<u32>(dst, 0xd800 | (c >> 10) | ((0xdc00 | (c & 0x3ff)) << 16));
      dst += 4;
    } else {
      store<u16>(dst, <u16>c);
      dst += 2;
    }
  }
  // The SDK's runtime only relabels the size (a string's length is its byte size ÷ 2); the
  // others move or split the block.
  if (isDefined(__proxy_rt_shrink)) {
    __proxy_rt_shrink(out, dst - out);
    return changetype<string>(out);
  }
  return changetype<string>(__renew(out, dst - out));
}

/** The UTF-8 bytes of `text`. */
export function encodeString(text: string): ArrayBuffer {
  const units = <usize>text.length;
  const out = __new(units * 3, idof<ArrayBuffer>());
  const len = encodeUtf8(changetype<usize>(text), units, out);
  return changetype<ArrayBuffer>(__renew(out, len));
}

/** `bytes` decoded as UTF-8. */
export function decodeString(bytes: ArrayBuffer): string {
  return decodeUtf8(changetype<usize>(bytes), <usize>bytes.byteLength);
}
