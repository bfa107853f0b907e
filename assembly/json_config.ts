import { JSON } from "assemblyscript-json/assembly";
import { LogLevelValues } from "./abi/enums";
import { log } from "./log";

export { JSON };

// assemblyscript-json aborts (traps) on malformed input, and a trap takes the whole VM down.
// So the text is first checked here for JSON syntax only; the library does all the parsing.

let errorMessage = "";

/** Why the last `checkJsonSyntax` / `parseJsonObject` call failed ("" if it did not). */
export function lastJsonError(): string {
  return errorMessage;
}

class SyntaxChecker {
  pos: i32 = 0;
  constructor(public text: string) {}

  fail(what: string): bool {
    errorMessage = what + " at offset " + this.pos.toString();
    return false;
  }

  peek(): i32 {
    return this.pos < this.text.length ? this.text.charCodeAt(this.pos) : -1;
  }

  skipSpace(): void {
    while (true) {
      const c = this.peek();
      if (c != 0x20 && c != 0x09 && c != 0x0a && c != 0x0d) return;
      this.pos++;
    }
  }

  literal(word: string): bool {
    if (this.text.substr(this.pos, word.length) != word) return this.fail("unexpected token");
    this.pos += word.length;
    return true;
  }

  string(): bool {
    this.pos++; // opening quote
    while (true) {
      const c = this.peek();
      if (c < 0) return this.fail("unterminated string");
      if (c < 0x20) return this.fail("control character in string");
      this.pos++;
      if (c == 0x22) return true;
      if (c == 0x5c) {
        const e = this.peek();
        if (e == 0x75) {
          for (let i = 1; i <= 4; i++) {
            const h = this.pos + i < this.text.length ? this.text.charCodeAt(this.pos + i) : -1;
            const hex =
              (h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66);
            if (!hex) return this.fail("bad \\u escape");
          }
          this.pos += 5;
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
          this.pos++;
        } else {
          return this.fail("bad escape");
        }
      }
    }
  }

  digits(): i32 {
    const start = this.pos;
    while (this.peek() >= 0x30 && this.peek() <= 0x39) this.pos++;
    return this.pos - start;
  }

  number(): bool {
    if (this.peek() == 0x2d) this.pos++;
    if (this.peek() == 0x30) this.pos++;
    else if (this.digits() == 0) return this.fail("bad number");
    if (this.peek() == 0x2e) {
      this.pos++;
      if (this.digits() == 0) return this.fail("bad fraction");
    }
    if (this.peek() == 0x65 || this.peek() == 0x45) {
      this.pos++;
      if (this.peek() == 0x2b || this.peek() == 0x2d) this.pos++;
      if (this.digits() == 0) return this.fail("bad exponent");
    }
    return true;
  }

  value(depth: i32): bool {
    if (depth > 64) return this.fail("nesting deeper than 64");
    this.skipSpace();
    const c = this.peek();
    if (c == 0x7b) return this.object(depth);
    if (c == 0x5b) return this.array(depth);
    if (c == 0x22) return this.string();
    if (c == 0x74) return this.literal("true");
    if (c == 0x66) return this.literal("false");
    if (c == 0x6e) return this.literal("null");
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    return this.fail(c < 0 ? "unexpected end" : "unexpected character");
  }

  object(depth: i32): bool {
    this.pos++;
    this.skipSpace();
    if (this.peek() == 0x7d) {
      this.pos++;
      return true;
    }
    while (true) {
      this.skipSpace();
      if (this.peek() != 0x22) return this.fail("expected a quoted key");
      if (!this.string()) return false;
      this.skipSpace();
      if (this.peek() != 0x3a) return this.fail("expected ':'");
      this.pos++;
      if (!this.value(depth + 1)) return false;
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x7d) return true;
      if (c != 0x2c) {
        this.pos--;
        return this.fail("expected ',' or '}'");
      }
    }
  }

  array(depth: i32): bool {
    this.pos++;
    this.skipSpace();
    if (this.peek() == 0x5d) {
      this.pos++;
      return true;
    }
    while (true) {
      if (!this.value(depth + 1)) return false;
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c == 0x5d) return true;
      if (c != 0x2c) {
        this.pos--;
        return this.fail("expected ',' or ']'");
      }
    }
  }
}

/** True when `text` is one well-formed JSON value; otherwise see `lastJsonError()`. */
export function checkJsonSyntax(text: string): bool {
  errorMessage = "";
  const checker = new SyntaxChecker(text);
  if (!checker.value(0)) return false;
  checker.skipSpace();
  if (checker.pos != text.length) return checker.fail("trailing characters");
  return true;
}

/**
 * Parses `text` as a JSON object without logging: null when it is malformed or not an object
 * (see `lastJsonError()`). Use it for input from clients, where a bad body is not a filter error.
 */
export function tryParseJsonObject(text: string): JSON.Obj | null {
  if (!checkJsonSyntax(text)) return null;
  const value = JSON.parse(text);
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
  if (!checkJsonSyntax(text)) {
    log(LogLevelValues.error, what + " is not valid JSON: " + errorMessage);
    return null;
  }
  const value = tryParseJsonObject(text);
  if (value === null) log(LogLevelValues.error, what + " must be a JSON object");
  return value;
}
