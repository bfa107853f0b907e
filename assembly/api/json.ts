import { JSON } from "assemblyscript-json/assembly";
import { LogLevel } from "../abi/enums";
import { log } from "./log";

/** assemblyscript-json's value classes (`JSON.Obj`, `JSON.Arr`, `JSON.Str`, …). */
export { JSON };

// The values are assemblyscript-json's (`JSON.Obj`, `JSON.Arr`, …, re-exported as `JSON`), but
// the SDK parses text itself (JsonReader below): the library's parser traps on malformed input,
// which takes the whole VM down, and costs several times the memory.

// Why the last parse failed; read right after it by the functions below.
let errorMessage = "";

const MAX_DEPTH: i32 = 64;

/**
 * One pass over the text that checks the JSON syntax and, when `build` is set, builds the
 * assemblyscript-json values at the same time (`JSON.Obj`, `JSON.Arr`, `JSON.Str`, …), so the
 * library's own parser never runs. Its parser re-encodes the whole text to UTF-8, then makes a
 * string per digit of every number and a part per escape, and needs a syntax check first since
 * it traps on malformed input: about 37 bytes of heap per byte of a body of small items, all of
 * it live until the callback returns. This one reads the string in place and allocates only
 * what the values keep (one string per key and string value, one object per value).
 *
 * Every method returns null on a syntax error (after `fail`); in check mode a value that parsed
 * is returned as the shared `JSON.Null`, so checking allocates nothing.
 */
class JsonReader {
  pos: i32 = 0;
  readonly end: i32;
  readonly base: usize;
  constructor(
    public text: string,
    public build: bool,
  ) {
    this.end = text.length;
    this.base = changetype<usize>(text);
  }

  fail(what: string): JSON.Value | null {
    errorMessage = what + " at offset " + this.pos.toString();
    return null;
  }

  // @ts-ignore: decorator
  @inline at(pos: i32): i32 {
    return pos < this.end ? <i32>load<u16>(this.base + ((<usize>pos) << 1)) : -1;
  }

  // @ts-ignore: decorator
  @inline peek(): i32 {
    return this.at(this.pos);
  }

  skipSpace(): void {
    let pos = this.pos;
    while (true) {
      const c = this.at(pos);
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) break;
      pos++;
    }
    this.pos = pos;
  }

  literal(word: string, value: JSON.Value): JSON.Value | null {
    const n = word.length;
    for (let i = 0; i < n; i++) {
      if (this.at(this.pos + i) != <i32>word.charCodeAt(i)) return this.fail("unexpected token");
    }
    this.pos += n;
    return value;
  }

  /** A quoted string at `pos`: its value when building, else "" (null on a syntax error). */
  string(): string | null {
    const start = this.pos + 1; // after the opening quote
    let pos = start;
    let escapes = 0; // characters the escapes take beyond the one each stands for
    while (true) {
      const c = this.at(pos);
      if (c == 0x22) break;
      if (c < 0x20) {
        this.pos = pos;
        this.fail(c < 0 ? "unterminated string" : "control character in string");
        return null;
      }
      pos++;
      if (c == 0x5c) {
        const e = this.at(pos);
        if (e == 0x75) {
          for (let i = 1; i <= 4; i++) {
            const h = this.at(pos + i);
            const hex =
              (h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66);
            if (!hex) {
              this.pos = pos;
              this.fail("bad \\u escape");
              return null;
            }
          }
          pos += 5;
          escapes += 5;
        } else if (
          e == 0x22 ||
          e == 0x5c ||
          e == 0x2f ||
          e == 0x62 ||
          e == 0x66 ||
          e == 0x6e ||
          e == 0x72 ||
          e == 0x74
        ) {
          pos++;
          escapes += 1;
        } else {
          this.pos = pos;
          this.fail("bad escape");
          return null;
        }
      }
    }
    this.pos = pos + 1; // after the closing quote
    if (!this.build) return "";
    if (escapes == 0) return this.text.substring(start, pos);
    return this.unescape(start, pos, pos - start - escapes);
  }

  /** The checked characters from `start` to `stop` with their escapes replaced. */
  unescape(start: i32, stop: i32, length: i32): string {
    const out = changetype<string>(__new((<usize>length) << 1, idof<string>()));
    let to = changetype<usize>(out);
    for (let i = start; i < stop; i++) {
      let c = this.at(i);
      if (c == 0x5c) {
        const e = this.at(++i);
        if (e == 0x75) {
          c = 0;
          for (let k = 1; k <= 4; k++) {
            const h = this.at(i + k);
            c = (c << 4) | (h <= 0x39 ? h - 0x30 : (h | 0x20) - 0x61 + 10);
          }
          i += 4;
        } else if (e == 0x62) c = 0x08;
        else if (e == 0x66) c = 0x0c;
        else if (e == 0x6e) c = 0x0a;
        else if (e == 0x72) c = 0x0d;
        else if (e == 0x74) c = 0x09;
        else c = e; // \" \\ \/
      }
      store<u16>(to, <u16>c);
      to += 2;
    }
    return out;
  }

  digits(): i32 {
    const start = this.pos;
    let pos = start;
    while (true) {
      const c = this.at(pos);
      if (c < 0x30 || c > 0x39) break;
      pos++;
    }
    this.pos = pos;
    return pos - start;
  }

  number(): JSON.Value | null {
    const start = this.pos;
    let negative = false;
    if (this.peek() == 0x2d) {
      negative = true;
      this.pos++;
    }
    const intStart = this.pos;
    if (this.peek() == 0x30) this.pos++;
    else if (this.digits() == 0) return this.fail("bad number");
    const intEnd = this.pos;
    let integer = true;
    if (this.peek() == 0x2e) {
      integer = false;
      this.pos++;
      if (this.digits() == 0) return this.fail("bad fraction");
    }
    if (this.peek() == 0x65 || this.peek() == 0x45) {
      integer = false;
      this.pos++;
      if (this.peek() == 0x2b || this.peek() == 0x2d) this.pos++;
      if (this.digits() == 0) return this.fail("bad exponent");
    }
    if (!this.build) return JSON.Value.Null();
    // As assemblyscript-json: an integer without fraction or exponent is an Integer, except -0.
    if (integer && !(negative && intEnd - intStart == 1 && this.at(intStart) == 0x30)) {
      if (intEnd - intStart <= 18) {
        let value: i64 = 0;
        for (let i = intStart; i < intEnd; i++) value = value * 10 + <i64>(this.at(i) - 0x30);
        return JSON.Value.Integer(negative ? -value : value);
      }
      // More digits: through f64, as the library does, saturated to the range of i64.
      let value: f64 = 0;
      for (let i = intStart; i < intEnd; i++) value = value * 10 + <f64>(this.at(i) - 0x30);
      if (value >= 9223372036854775807.0)
        return JSON.Value.Integer(negative ? i64.MIN_VALUE : i64.MAX_VALUE);
      return JSON.Value.Integer(<i64>(negative ? -value : value));
    }
    return JSON.Value.Float(parseFloat(this.text.substring(start, this.pos)));
  }

  value(depth: i32): JSON.Value | null {
    if (depth > MAX_DEPTH) return this.fail("nesting deeper than 64");
    this.skipSpace();
    const c = this.peek();
    if (c == 0x7b) return this.object(depth);
    if (c == 0x5b) return this.array(depth);
    if (c == 0x22) {
      const s = this.string();
      if (s === null) return null;
      return this.build ? JSON.Value.String(s) : JSON.Value.Null();
    }
    if (c == 0x74)
      return this.literal("true", this.build ? JSON.Value.Bool(true) : JSON.Value.Null());
    if (c == 0x66) {
      return this.literal("false", this.build ? JSON.Value.Bool(false) : JSON.Value.Null());
    }
    if (c == 0x6e) return this.literal("null", JSON.Value.Null());
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    return this.fail(c < 0 ? "unexpected end" : "unexpected character");
  }

  object(depth: i32): JSON.Value | null {
    const obj: JSON.Obj | null = this.build ? JSON.Value.Object() : null;
    this.pos++;
    this.skipSpace();
    if (this.peek() == 0x7d) {
      this.pos++;
      return obj !== null ? obj : JSON.Value.Null();
    }
    while (true) {
      this.skipSpace();
      if (this.peek() != 0x22) return this.fail("expected a quoted key");
      const key = this.string();
      if (key === null) return null;
      this.skipSpace();
      if (this.peek() != 0x3a) return this.fail("expected ':'");
      this.pos++;
      const value = this.value(depth + 1);
      if (value === null) return null;
      if (obj !== null) obj._obj.set(key, value);
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x7d) return obj !== null ? obj : JSON.Value.Null();
      if (c != 0x2c) {
        this.pos--;
        return this.fail("expected ',' or '}'");
      }
    }
  }

  array(depth: i32): JSON.Value | null {
    const arr: JSON.Arr | null = this.build ? JSON.Value.Array() : null;
    this.pos++;
    this.skipSpace();
    if (this.peek() == 0x5d) {
      this.pos++;
      return arr !== null ? arr : JSON.Value.Null();
    }
    while (true) {
      const value = this.value(depth + 1);
      if (value === null) return null;
      if (arr !== null) arr._arr.push(value);
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x5d) return arr !== null ? arr : JSON.Value.Null();
      if (c != 0x2c) {
        this.pos--;
        return this.fail("expected ',' or ']'");
      }
    }
  }

  /** The one value the whole text must be, or null (then `errorMessage` says why). */
  document(): JSON.Value | null {
    errorMessage = "";
    const value = this.value(0);
    if (value === null) return null;
    this.skipSpace();
    if (this.pos != this.end) return this.fail("trailing characters");
    return value;
  }
}

/**
 * Why `text` is not one well-formed JSON value ("expected ':' at offset 7"), or null when it is.
 * Allocates nothing but the message.
 */
export function jsonSyntaxError(text: string): string | null {
  return new JsonReader(text, false).document() !== null ? null : errorMessage;
}

/**
 * Parses `text` as any JSON value in one pass, without logging: null when it is malformed
 * (`jsonSyntaxError(text)` says why). Never traps, whatever the input.
 */
export function tryParseJson(text: string): JSON.Value | null {
  return new JsonReader(text, true).document();
}

/**
 * Parses `text` as a JSON object without logging: null when it is malformed
 * (`jsonSyntaxError(text)` says why) or another kind of value. Use it for input from clients,
 * where a bad body is not a filter error.
 */
export function tryParseJsonObject(text: string): JSON.Obj | null {
  const value = tryParseJson(text);
  if (value === null) return null;
  if (!value.isObj) {
    errorMessage = "expected a JSON object";
    return null;
  }
  return <JSON.Obj>value;
}

/**
 * Parses `text` as a JSON object (for example the plugin configuration). On malformed JSON or
 * another kind of value it logs an error naming `what` and returns null, so `onConfigure` can
 * return false instead of trapping.
 */
export function parseJsonObject(text: string, what: string = "configuration"): JSON.Obj | null {
  const value = tryParseJson(text);
  if (value === null) {
    log(LogLevel.Error, what + " is not valid JSON: " + errorMessage);
    return null;
  }
  if (!value.isObj) {
    errorMessage = "expected a JSON object";
    log(LogLevel.Error, what + " must be a JSON object");
    return null;
  }
  return <JSON.Obj>value;
}
