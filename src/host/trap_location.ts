// Where a trap happened, in the filter author's terms: the AssemblyScript function and, with the
// debug build's source map, its file:line:column. V8's stack of a wasm trap only has byte offsets
// in the module (and names when the module has a name section), so the offsets are looked up in
// the source map (binaryen writes one "line" whose columns are module byte offsets).
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { HostTrap, LoadError } from "./errors.js";

/** What the trap messages say when the module has neither a name section nor a source map. */
export const DEBUG_BUILD_HINT =
  "build with --target debug (build/untouched.wasm) to see the source line";

/** One frame of a trap's in-VM stack, innermost first. */
export interface TrapFrame {
  /** The function as written: `AddHeader#onResponseHeaders` (AssemblyScript's file prefix dropped). */
  name: string;
  /** The module's name for it (`assembly/index/AddHeader#onResponseHeaders`), its export name, or `wasm-function[N]`. */
  function: string;
  /** Function index (imports included), as V8 numbers functions. */
  functionIndex: number;
  /** Byte offset of the instruction in the module. */
  offset: number;
  /** From the source map: the source file as the compiler named it, and the 1-based line and column. */
  file?: string;
  line?: number;
  column?: number;
  /** The standard library, the SDK or another package rather than the filter's own code. */
  library: boolean;
}

/** `AddHeader#onResponseHeaders (assembly/index.ts:21:7)`, or the wasm position without a map. */
export function formatFrame(f: TrapFrame): string {
  if (f.file !== undefined) return `${f.name} (${f.file}:${f.line}:${f.column})`;
  const wasm = `wasm-function[${f.functionIndex}]:0x${f.offset.toString(16)}`;
  // A function without any name is known by its index alone.
  return f.function === `wasm-function[${f.functionIndex}]` ? wasm : `${f.name} (${wasm})`;
}

// ---- source maps -------------------------------------------------------------------------------

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) BASE64_VALUE[BASE64.charCodeAt(i)] = i;

/**
 * Decodes one base64 VLQ number of a source map's `mappings` at `pos`. Each digit carries 5 bits,
 * least significant first, and 32 when another digit follows; the lowest bit of the whole is the
 * sign. Returns the number and the position after it.
 */
export function decodeVlq(text: string, pos = 0): [number, number] {
  let value = 0;
  let scale = 1; // multiplication, not <<: values past 2^31 would wrap
  let digit: number;
  do {
    if (pos >= text.length) throw new Error("source map: a number ends in the middle");
    const c = text.charCodeAt(pos++);
    digit = c < 128 ? BASE64_VALUE[c] : -1;
    if (digit < 0) throw new Error(`source map: ${JSON.stringify(text[pos - 1])} is not base64`);
    value += (digit & 31) * scale;
    scale *= 32;
  } while (digit & 32);
  const magnitude = Math.floor(value / 2);
  return [value % 2 === 1 ? -magnitude || 0 : magnitude, pos];
}

/** A segment of `mappings`: generated column, and where it came from (0-based) when mapped. */
export interface Mapping {
  generatedColumn: number;
  source?: number;
  line?: number;
  column?: number;
  name?: number;
}

/**
 * Decodes a source map's `mappings` into one list of segments per generated line. The generated
 * column restarts on each line; source, line, column and name are relative to the previous
 * segment that had them, across lines.
 */
export function decodeMappings(mappings: string): Mapping[][] {
  const lines: Mapping[][] = [[]];
  let generatedColumn = 0;
  let source = 0;
  let line = 0;
  let column = 0;
  let name = 0;
  let pos = 0;
  const fields: number[] = [];
  while (pos < mappings.length) {
    const c = mappings[pos];
    if (c === ";") {
      lines.push([]);
      generatedColumn = 0;
      pos++;
      continue;
    }
    if (c === ",") {
      pos++;
      continue;
    }
    fields.length = 0;
    while (pos < mappings.length && mappings[pos] !== "," && mappings[pos] !== ";") {
      const [v, next] = decodeVlq(mappings, pos);
      fields.push(v);
      pos = next;
    }
    if (fields.length !== 1 && fields.length !== 4 && fields.length !== 5)
      throw new Error(`source map: a segment has ${fields.length} fields`);
    generatedColumn += fields[0];
    const m: Mapping = { generatedColumn };
    if (fields.length >= 4) {
      m.source = source += fields[1];
      m.line = line += fields[2];
      m.column = column += fields[3];
      if (fields.length === 5) m.name = name += fields[4];
    }
    lines[lines.length - 1].push(m);
  }
  return lines;
}

/** A source map (version 3) as JSON gives it. */
export interface RawSourceMap {
  version: number;
  sources: (string | null)[];
  names?: string[];
  mappings: string;
  sourceRoot?: string;
  sourcesContent?: (string | null)[];
}

/** A source position: file as the map names it, line and column 1-based. */
export interface SourcePosition {
  file: string;
  line: number;
  column: number;
  name?: string;
}

export class SourceMap {
  readonly sources: (string | null)[];
  readonly names: string[];
  private readonly mappings: string;
  private lines: Mapping[][] | null = null;

  /** @throws Error when `map` is not a version 3 source map. */
  constructor(map: string | RawSourceMap) {
    const raw = (typeof map === "string" ? JSON.parse(map) : map) as Partial<RawSourceMap>;
    if (raw?.version !== 3 || !Array.isArray(raw.sources) || typeof raw.mappings !== "string") {
      throw new Error("not a version 3 source map");
    }
    // sourceRoot is left out: AssemblyScript writes "./<output name>" there, while its sources
    // are already relative to the project root, which is what a reader of the message wants.
    this.sources = raw.sources;
    this.names = raw.names ?? [];
    this.mappings = raw.mappings;
  }

  /**
   * The source of generated `column` on `line` (0-based): the last mapped segment at or before
   * it, and not before `from`. Binaryen leaves some instructions unmapped (a call made for a
   * `throw`), so the mapped instruction before one stands for it; `from` keeps the search
   * inside the function. Null when nothing mapped is found.
   */
  lookup(column: number, line = 0, from = 0): SourcePosition | null {
    // Decoded on first use: most loaded modules never trap.
    const segments = (this.lines ??= decodeMappings(this.mappings))[line];
    if (!segments) return null;
    let lo = 0;
    let hi = segments.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (segments[mid].generatedColumn <= column) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    while (
      found >= 0 &&
      segments[found].generatedColumn >= from &&
      (segments[found].source === undefined || this.sources[segments[found].source!] == null)
    )
      found--;
    const m = found >= 0 && segments[found].generatedColumn >= from ? segments[found] : undefined;
    const file = m?.source !== undefined ? this.sources[m.source] : undefined;
    if (!m || file == null) return null;
    const pos: SourcePosition = { file, line: m.line! + 1, column: m.column! + 1 };
    if (m.name !== undefined && this.names[m.name] !== undefined) pos.name = this.names[m.name];
    return pos;
  }
}

// ---- the module's own debug information ------------------------------------------------------

interface DebugSections {
  /** Function names from the name section. */
  names: Map<number, string>;
  /** Names of exported functions (V8 shows none for a function without a name-section entry). */
  exports: Map<number, string>;
  hasNameSection: boolean;
  sourceMappingURL: string | null;
  /** Where each function body starts in the module, ascending. */
  bodies: number[];
}

const utf8 = new TextDecoder();

/**
 * Reads the name section, the exports, the code section's layout and the sourceMappingURL
 * section; tolerant of bad bytes. `urlOnly` skips all but the URL (every load looks for it).
 */
export function readDebugSections(bytes: Uint8Array, urlOnly = false): DebugSections {
  const out: DebugSections = {
    names: new Map(),
    exports: new Map(),
    hasNameSection: false,
    sourceMappingURL: null,
    bodies: [],
  };
  let pos = 8;
  const u32 = (): number => {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (pos >= bytes.length) throw new RangeError("truncated");
      const b = bytes[pos++];
      result += (b & 0x7f) * scale;
      if (!(b & 0x80)) return result;
      scale *= 128;
    }
  };
  const str = (): string => {
    const len = u32();
    const s = utf8.decode(bytes.subarray(pos, pos + len));
    pos += len;
    return s;
  };
  try {
    while (pos < bytes.length) {
      const id = bytes[pos++];
      const size = u32();
      const end = pos + size;
      if (urlOnly && id !== 0) {
        pos = end;
        continue;
      }
      if (id === 0) {
        const name = str();
        if (name === "name" && !urlOnly) {
          out.hasNameSection = true;
          while (pos < end) {
            const sub = bytes[pos++];
            const subSize = u32();
            const subEnd = pos + subSize;
            if (sub === 1) {
              for (let n = u32(); n > 0; n--) {
                const index = u32();
                out.names.set(index, str());
              }
            }
            pos = subEnd;
          }
        } else if (name === "sourceMappingURL") {
          out.sourceMappingURL = str();
        }
      } else if (id === 10) {
        for (let n = u32(); n > 0; n--) {
          const size = u32();
          out.bodies.push(pos);
          pos += size;
        }
      } else if (id === 7) {
        for (let n = u32(); n > 0; n--) {
          const name = str();
          const kind = bytes[pos++];
          const index = u32();
          if (kind === 0 && !out.exports.has(index)) out.exports.set(index, name);
        }
      }
      pos = end;
    }
  } catch {
    // A malformed section only costs names; the module itself was validated by the engine.
  }
  return out;
}

/** The text of a `data:` URL (base64 or percent-encoded). */
function dataUrlText(url: string): string {
  const comma = url.indexOf(",");
  const meta = url.slice(5, comma);
  const data = url.slice(comma + 1);
  return meta.endsWith(";base64")
    ? Buffer.from(data, "base64").toString("utf8")
    : decodeURIComponent(data);
}

/**
 * Finds a module's source map: the file its `sourceMappingURL` section names (relative to the
 * module's path; absolute paths, file: and data: URLs also work for bytes), else `<path>.map`.
 * Resolves to the map's text, or null when there is none (never rejects).
 */
export async function findSourceMap(bytes: Uint8Array, path?: string): Promise<string | null> {
  const url = readDebugSections(bytes, true).sourceMappingURL;
  const candidates: string[] = [];
  if (url) {
    if (url.startsWith("data:")) {
      try {
        return dataUrlText(url);
      } catch {
        // not decodable: try the file beside the module
      }
    } else if (url.startsWith("file:")) {
      try {
        candidates.push(fileURLToPath(url));
      } catch {
        // a file: URL of another host
      }
    } else if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) {
      if (isAbsolute(url)) candidates.push(url);
      else if (path !== undefined) candidates.push(resolve(dirname(path), url));
    }
  }
  if (path !== undefined) candidates.push(`${path}.map`);
  for (const file of candidates) {
    try {
      return await readFile(file, "utf8");
    } catch {
      // next candidate
    }
  }
  return null;
}

/** `LoadOptions.sourceMap`: the map's JSON text, a path to it, the parsed map, or false for none. */
export type SourceMapOption = string | RawSourceMap | SourceMap | false;

/**
 * The source map for a module being loaded. An explicit `option` that cannot be read or parsed is
 * a LoadError; a map found on its own that does not parse is ignored (it is only for messages).
 */
export async function loadSourceMap(
  bytes: Uint8Array,
  wasmPath: string | undefined,
  option: SourceMapOption | undefined,
): Promise<SourceMap | null> {
  if (option === false) return null;
  if (option instanceof SourceMap) return option;
  if (option === undefined) {
    const text = await findSourceMap(bytes, wasmPath);
    if (text === null) return null;
    try {
      return new SourceMap(text);
    } catch {
      return null;
    }
  }
  let text: string | RawSourceMap = option;
  if (typeof option === "string" && !option.trimStart().startsWith("{")) {
    try {
      text = await readFile(option, "utf8");
    } catch (e) {
      throw new LoadError(`cannot read the source map ${option}: ${(e as Error).message}`);
    }
  }
  try {
    return new SourceMap(text);
  } catch (e) {
    throw new LoadError(`bad source map: ${(e as Error).message}`);
  }
}

// ---- from a trap to frames ---------------------------------------------------------------------

/** `at NAME (wasm://wasm/HASH:wasm-function[N]:0xOFF)` or, without a name, `at wasm://…`. */
const WASM_FRAME = /^\s*at (?:(.*) \()?\S*?wasm-function\[(\d+)\]:0x([0-9a-f]+)\)?\s*$/i;

/** The wasm frames of a V8 stack, innermost first; JavaScript (host) frames are left out. */
export function parseWasmStack(
  stack: string,
): { name: string | undefined; functionIndex: number; offset: number }[] {
  const frames = [];
  for (const line of stack.split("\n")) {
    const m = WASM_FRAME.exec(line);
    if (m) frames.push({ name: m[1], functionIndex: Number(m[2]), offset: parseInt(m[3], 16) });
  }
  return frames;
}

/**
 * An AssemblyScript internal name without its file: `assembly/index/AddHeader#onResponseHeaders`
 * → `AddHeader#onResponseHeaders`. A `/` inside type arguments (`Map<~lib/string/String,i32>`)
 * is part of the name.
 */
export function shortName(internal: string): string {
  let depth = 0;
  let cut = -1;
  for (let i = 0; i < internal.length; i++) {
    const c = internal[i];
    if (c === "<") depth++;
    else if (c === ">") depth--;
    else if (c === "/" && depth === 0) cut = i;
  }
  return internal.slice(cut + 1);
}

const isLibrary = (file: string): boolean =>
  file.startsWith("~lib/") || file.includes("node_modules/");

/** Turns trap stacks of one module into frames of its source. */
export class TrapLocator {
  private sections: DebugSections | null = null;

  constructor(
    private readonly bytes: Uint8Array,
    readonly sourceMap: SourceMap | null = null,
  ) {}

  private get debug(): DebugSections {
    return (this.sections ??= readDebugSections(this.bytes));
  }

  /** The hint for a module without names or a source map (a release build), else null. */
  get hint(): string | null {
    return this.sourceMap || this.debug.hasNameSection ? null : DEBUG_BUILD_HINT;
  }

  /** Start of the function body that holds `offset` (0 if unknown). */
  private bodyStart(offset: number): number {
    const bodies = this.debug.bodies;
    let lo = 0;
    let hi = bodies.length - 1;
    let start = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (bodies[mid] <= offset) {
        start = bodies[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return start;
  }

  /** The module's frames of `error`'s stack, innermost first. */
  frames(error: unknown): TrapFrame[] {
    const stack = error instanceof Error ? String(error.stack ?? "") : "";
    return parseWasmStack(stack).map(({ name, functionIndex, offset }) => {
      const fn =
        name ??
        this.debug.names.get(functionIndex) ??
        this.debug.exports.get(functionIndex) ??
        `wasm-function[${functionIndex}]`;
      const frame: TrapFrame = {
        name: shortName(fn),
        function: fn,
        functionIndex,
        offset,
        library: isLibrary(fn),
      };
      const pos = this.sourceMap?.lookup(offset, 0, this.bodyStart(offset));
      if (pos) {
        frame.file = pos.file;
        frame.line = pos.line;
        frame.column = pos.column;
        frame.library = isLibrary(pos.file);
      }
      return frame;
    });
  }
}

/** What trapped: the engine's reason (`unreachable`, `divide by zero`…) or the host's. */
export function trapReason(error: unknown): string {
  if (error instanceof WebAssembly.RuntimeError || error instanceof HostTrap) return error.message;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/**
 * A trap of the filter, located in its source. The message starts with what trapped and where:
 * `filter trapped in proxy_on_response_headers: unreachable at AddHeader#onResponseHeaders
 * (assembly/index.ts:21:7)`. `cause` is the engine's error.
 */
export class TrapError extends Error {
  override name = "TrapError";
  /** The export the host called (`proxy_on_request_headers`, `_initialize`…). */
  readonly callback: string;
  /** The engine's reason: `unreachable`, `memory access out of bounds`, `divide by zero`… */
  readonly reason: string;
  /** The module's frames, innermost first (no host frames). */
  readonly frames: TrapFrame[];
  /** The innermost frame of the filter's own code, else the innermost frame; null without frames. */
  readonly at: TrapFrame | null;
  /** Set when the module has no names and no source map: how to get the source line. */
  readonly hint: string | null;

  constructor(
    callback: string,
    cause: unknown,
    frames: TrapFrame[],
    hint: string | null,
    rootId = "",
  ) {
    const reason = trapReason(cause);
    // The filter's own innermost frame, preferably one the map locates (compiler-made stubs
    // such as `…@override` have no source).
    const own = frames.filter((f) => !f.library);
    const at = own.find((f) => f.file !== undefined) ?? own[0] ?? frames[0] ?? null;
    let where = "";
    if (at) {
      where = ` at ${formatFrame(at)}`;
      // A trap inside the library (an abort, a bounds check) points at the caller in the filter.
      if (at !== frames[0]) where += `, inside ${frames[0].name}`;
    }
    const who = rootId ? `filter "${rootId}"` : "filter";
    super(`${who} trapped in ${callback}: ${reason}${where}${hint ? `; ${hint}` : ""}`, { cause });
    this.callback = callback;
    this.reason = reason;
    this.frames = frames;
    this.at = at;
    this.hint = hint;
  }

  /** The `at` frame formatted, `AddHeader#onResponseHeaders (assembly/index.ts:21:7)`. */
  get where(): string | null {
    return this.at ? formatFrame(this.at) : null;
  }
}
