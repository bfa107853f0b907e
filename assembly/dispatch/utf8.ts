// Strings cross into the host as UTF-8. Encoding into one reusable scratch block keeps every
// string-taking hostcall free of garbage-collected allocations on the request path.
import { encodeUtf8 } from "./utf8_codec";
import { MESSAGE_TEXT } from "./messages";

let scratch: usize = 0;
let capacity: usize = 0;

/** Address and byte length of the first encoded argument. */
export let arg0Ptr: usize = 0;
export let arg0Len: usize = 0;
/** Address and byte length of the second encoded argument. */
export let arg1Ptr: usize = 0;
export let arg1Len: usize = 0;

function reserve(bytes: usize): void {
  if (bytes <= capacity) return;
  // At least double, so a line built piece by piece grows the block a few times at most.
  let size = max<usize>(capacity << 1, 256);
  if (size < bytes) size = bytes;
  const grown = heap.alloc(size);
  if (scratch != 0) {
    memory.copy(grown, scratch, capacity);
    heap.free(scratch);
  }
  scratch = grown;
  capacity = size;
}

/** Encodes one string; read the result from `arg0Ptr` / `arg0Len`. */
export function encode1(a: string): void {
  const n = <usize>a.length;
  reserve(n * 3);
  arg0Ptr = scratch;
  arg0Len = encodeUtf8(changetype<usize>(a), <i32>n, scratch);
}

/** Encodes two strings back to back; read `arg0*` and `arg1*`. */
export function encode2(a: string, b: string): void {
  const na = <usize>a.length;
  const nb = <usize>b.length;
  reserve((na + nb) * 3);
  arg0Ptr = scratch;
  arg0Len = encodeUtf8(changetype<usize>(a), <i32>na, scratch);
  arg1Ptr = scratch + arg0Len;
  arg1Len = encodeUtf8(changetype<usize>(b), <i32>nb, arg1Ptr);
}

// A log line assembled straight into the scratch block, piece by piece: no string
// concatenation, no number formatting objects, nothing for the collector.
let lineLen: usize = 0;

/** Starts a new line in the scratch block. */
export function lineStart(): void {
  lineLen = 0;
  reserve(256);
}

/** Appends `text` as UTF-8. */
export function lineText(text: string): void {
  const n = <usize>text.length;
  reserve(lineLen + n * 3);
  lineLen += encodeUtf8(changetype<usize>(text), <i32>n, scratch + lineLen);
}

/** Appends one of the SDK's messages (assembly/dispatch/messages.ts) as it is stored. */
export function lineMessage(message: u32): void {
  const len = <usize>(message & 255);
  reserve(lineLen + len);
  memory.copy(scratch + lineLen, MESSAGE_TEXT + (message >> 8), len);
  lineLen += len;
}

/** Appends `value` in decimal. */
export function lineNumber(value: u32): void {
  // Digits are written backwards behind the line's end, then moved into place.
  reserve(lineLen + 20);
  const end = scratch + lineLen + 20;
  let p = end;
  do {
    store<u8>(--p, 0x30 + (value % 10));
    value /= 10;
  } while (value != 0);
  const digits = end - p;
  memory.copy(scratch + lineLen, p, digits);
  lineLen += digits;
}

/** Address of the assembled line. */
export function linePtr(): usize {
  return scratch;
}

/** Byte length of the assembled line. */
export function lineLength(): usize {
  return lineLen;
}
