// A minimal, deterministic tar (ustar) writer and a reader that understands what image builders
// emit (ustar, pax and GNU long names). Only regular files and directories are kept.

export interface TarEntry {
  /** Path inside the archive, "/"-separated, no leading "./". */
  name: string;
  /** File contents; undefined for a directory. */
  data?: Uint8Array;
  /** Permission bits; 0o644 for files and 0o755 for directories when omitted. */
  mode?: number;
}

const BLOCK = 512;

function writeString(header: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length > length) throw new Error(`tar: "${value}" is too long for its field`);
  bytes.copy(header, offset);
}

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  // length-1 octal digits, zero padded, then NUL.
  const text = value.toString(8).padStart(length - 1, "0");
  if (text.length > length - 1) throw new Error(`tar: ${value} does not fit in ${length} bytes`);
  writeString(header, offset, length, text + "\0");
}

function splitName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: "", base: name };
  // ustar: split at a "/" so that prefix <= 155 and base <= 100 bytes.
  for (let i = name.length - 1; i > 0; i--) {
    if (name[i] !== "/") continue;
    const prefix = name.slice(0, i);
    const base = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100 && base !== "") {
      return { prefix, base };
    }
  }
  throw new Error(`tar: path too long: ${name}`);
}

function header(entry: TarEntry): Buffer {
  const h = Buffer.alloc(BLOCK);
  const isDir = entry.data === undefined;
  const name = isDir && !entry.name.endsWith("/") ? entry.name + "/" : entry.name;
  const { prefix, base } = splitName(name);
  writeString(h, 0, 100, base);
  writeOctal(h, 100, 8, entry.mode ?? (isDir ? 0o755 : 0o644));
  writeOctal(h, 108, 8, 0); // uid
  writeOctal(h, 116, 8, 0); // gid
  writeOctal(h, 124, 12, isDir ? 0 : entry.data!.length);
  writeOctal(h, 136, 12, 0); // mtime: the epoch, so output never depends on the clock
  h.fill(0x20, 148, 156); // checksum is computed over spaces
  h[156] = isDir ? 0x35 /* '5' */ : 0x30; /* '0' */
  writeString(h, 257, 6, "ustar\0");
  writeString(h, 263, 2, "00");
  writeString(h, 265, 32, "root");
  writeString(h, 297, 32, "root");
  writeOctal(h, 329, 8, 0);
  writeOctal(h, 337, 8, 0);
  writeString(h, 345, 155, prefix);
  let sum = 0;
  for (const byte of h) sum += byte;
  writeString(h, 148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return h;
}

/** Writes the entries, in the order given, as a tar archive with fixed owners and times. */
export function writeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(header(entry));
    if (entry.data !== undefined) {
      parts.push(Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength));
      const pad = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

function readString(block: Buffer, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return field.subarray(0, end < 0 ? length : end).toString("utf8");
}

function readNumber(block: Buffer, offset: number, length: number): number {
  const field = block.subarray(offset, offset + length);
  if (field[0] & 0x80) {
    // base-256 (GNU) encoding for large values
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i];
    return value;
  }
  const text = readString(block, offset, length).trim();
  if (text === "") return 0;
  const value = parseInt(text, 8);
  if (!Number.isFinite(value)) throw new Error("tar: corrupt header (bad number)");
  return value;
}

function parsePax(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const length = parseInt(data.subarray(pos, space).toString("utf8"), 10);
    if (!(length > 0)) break;
    const record = data.subarray(space + 1, pos + length - 1).toString("utf8");
    const eq = record.indexOf("=");
    if (eq > 0) records.set(record.slice(0, eq), record.slice(eq + 1));
    pos += length;
  }
  return records;
}

/** Strips "./" and leading "/" so "./plugin.wasm" and "/plugin.wasm" both read "plugin.wasm". */
export function normalizeTarPath(name: string): string {
  let n = name;
  while (n.startsWith("./")) n = n.slice(2);
  while (n.startsWith("/")) n = n.slice(1);
  return n;
}

/** Checks a header block's checksum; gives the size of its data and its type flag. */
function parseHeader(block: Buffer): { size: number; type: string } {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  if (sum !== readNumber(block, 148, 8)) throw new Error("tar: corrupt header (bad checksum)");
  return { size: readNumber(block, 124, 12), type: String.fromCharCode(block[156] || 0x30) };
}

/** An entry's name: from the pax or GNU long-name record before it, else its own header's. */
function headerName(block: Buffer, longName?: string, paxPath?: string): string {
  const prefix = readString(block, 345, 155);
  const base = readString(block, 0, 100);
  return normalizeTarPath(paxPath ?? longName ?? (prefix ? `${prefix}/${base}` : base));
}

/** Reads the regular files and directories of a tar archive. */
export function readTar(archive: Uint8Array): TarEntry[] {
  const buf = Buffer.from(archive.buffer, archive.byteOffset, archive.byteLength);
  const entries: TarEntry[] = [];
  let pos = 0;
  let longName: string | undefined;
  let paxPath: string | undefined;
  while (pos + BLOCK <= buf.length) {
    const block = buf.subarray(pos, pos + BLOCK);
    if (block.every((b) => b === 0)) break;
    const { size, type } = parseHeader(block);
    const dataStart = pos + BLOCK;
    if (dataStart + size > buf.length) throw new Error("tar: archive is truncated");
    const data = buf.subarray(dataStart, dataStart + size);
    pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "L") {
      longName = readString(data, 0, data.length);
      continue;
    }
    if (type === "x") {
      paxPath = parsePax(data).get("path") ?? paxPath;
      continue;
    }
    if (type === "g") continue;
    const name = headerName(block, longName, paxPath);
    longName = undefined;
    paxPath = undefined;
    const mode = readNumber(block, 100, 8);
    if (type === "0" || type === "7") entries.push({ name, data: Buffer.from(data), mode });
    else if (type === "5") entries.push({ name: name.replace(/\/$/, ""), mode });
    // links, devices and fifos are of no use here
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Streaming: a tar read from a stream, keeping in memory only the entries asked for.

/** Pulls exact byte counts out of a stream of chunks, counting everything consumed. */
class ChunkReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  /** Bytes taken from the source so far. */
  consumed = 0;

  constructor(
    private readonly source: AsyncIterator<Uint8Array>,
    private readonly onData: (total: number) => void,
  ) {}

  private async more(): Promise<boolean> {
    if (this.ended) return false;
    const next = await this.source.next();
    if (next.done) {
      this.ended = true;
      return false;
    }
    const chunk = Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    this.consumed += chunk.length;
    this.onData(this.consumed);
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    return true;
  }

  /** Exactly `n` bytes, or fewer at the end of the stream. */
  async read(n: number): Promise<Buffer> {
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      if (this.chunks.length === 0 && !(await this.more())) return out.subarray(0, at);
      if (this.chunks.length === 0) continue;
      const head = this.chunks[0];
      const take = Math.min(head.length, n - at);
      head.copy(out, at, 0, take);
      at += take;
      this.buffered -= take;
      if (take === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
    }
    return out;
  }

  /** Skips `n` bytes without keeping them; returns how many there were. */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.chunks.length === 0 && !(await this.more())) break;
      if (this.chunks.length === 0) continue;
      const head = this.chunks[0];
      const take = Math.min(head.length, left);
      left -= take;
      this.buffered -= take;
      if (take === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(take);
    }
    return n - left;
  }
}

export interface TarScanOptions {
  /**
   * Called with each regular file's name (normalized) and size before its data is read: true
   * keeps the data in memory, false skips it. It may throw to stop (e.g. an entry too large).
   */
  want(name: string, size: number): boolean;
  /** Called with the running total of bytes read from the source; may throw to stop. */
  onData?(total: number): void;
  /** Pax and GNU long-name records larger than this are refused (1 MiB by default). */
  maxMetadataBytes?: number;
}

/**
 * Reads a tar archive from a stream, keeping only the files `want` asks for: memory stays at
 * the size of those files whatever the size of the archive.
 */
export async function scanTar(
  source: AsyncIterable<Uint8Array>,
  options: TarScanOptions,
): Promise<TarEntry[]> {
  const reader = new ChunkReader(source[Symbol.asyncIterator](), options.onData ?? (() => {}));
  const maxMeta = options.maxMetadataBytes ?? 1024 * 1024;
  const kept: TarEntry[] = [];
  let longName: string | undefined;
  let paxPath: string | undefined;
  for (;;) {
    const block = await reader.read(BLOCK);
    if (block.length === 0) break; // no end-of-archive blocks: tolerated, as readTar does
    if (block.length < BLOCK) throw new Error("tar: archive is truncated");
    if (block.every((b) => b === 0)) break;
    const { size, type } = parseHeader(block);
    const padding = Math.ceil(size / BLOCK) * BLOCK - size;
    const readData = async (): Promise<Buffer> => {
      const data = await reader.read(size);
      if (data.length < size) throw new Error("tar: archive is truncated");
      await reader.skip(padding);
      return data;
    };
    const skipData = async (): Promise<void> => {
      if ((await reader.skip(size + padding)) < size) throw new Error("tar: archive is truncated");
    };
    if (type === "L" || type === "x") {
      if (size > maxMeta) throw new Error(`tar: a ${size}-byte name record; refusing it`);
      const data = await readData();
      if (type === "L") longName = readString(data, 0, data.length);
      else paxPath = parsePax(data).get("path") ?? paxPath;
      continue;
    }
    if (type === "g") {
      await skipData();
      continue;
    }
    const name = headerName(block, longName, paxPath);
    longName = undefined;
    paxPath = undefined;
    const mode = readNumber(block, 100, 8);
    if ((type === "0" || type === "7") && options.want(name, size)) {
      kept.push({ name, data: await readData(), mode });
    } else {
      await skipData();
    }
  }
  return kept;
}
