// Log lines kept per level, as proxytest's GetTraceLogs…GetCriticalLogs.
import { LOG_LEVEL_NAMES, type LogLevelName, toLogLevel } from "./log_level.js";

export interface LogEntry {
  level: number;
  message: string;
  /** "plugin" for proxy_log / WASI output, "host" for the emulator's own lines (traps...). */
  source: "plugin" | "host";
  pluginName: string;
  rootId: string;
  vmId: string;
}

/** Envoy's prefix: `wasm log <plugin_name> <root_id> <vm_id>: <msg>`, empty parts left out. */
export function formatLogEntry(e: LogEntry): string {
  const parts = ["wasm log", e.pluginName, e.rootId, e.vmId].filter((p) => p !== "");
  return `${parts.join(" ")}: ${e.message}`;
}

/**
 * How many entries `splice(0, length - limit)` used to leave: a non-integer limit kept
 * ceil(limit) (splice truncates the delete count), NaN and +Infinity kept everything.
 */
function capacityOf(limit: number): number {
  const n = Number(limit);
  if (Number.isNaN(n) || n === Infinity) return Infinity;
  return Math.max(0, Math.ceil(n));
}

/** What an entry counts against the byte bound: its strings' lengths plus a fixed overhead. */
export function logEntrySize(e: LogEntry): number {
  return e.message.length + e.pluginName.length + e.rootId.length + e.vmId.length + 64;
}

export class LogStore {
  // A ring: dropping the oldest entry is one overwrite, not a shift of the whole array. It grows
  // (doubling, copied in order) until the entry or byte bound holds it.
  private ring: (LogEntry | undefined)[] = [];
  /** Index of the oldest entry. */
  private head = 0;
  private count = 0;
  private size = 0;
  private added = 0;
  private readonly capacity: number;
  private readonly maxBytes: number;

  constructor(
    private readonly sink?: (e: LogEntry) => void,
    private readonly echo = false,
    limit = Infinity,
    maxBytes = Infinity,
  ) {
    this.capacity = capacityOf(limit);
    const b = Number(maxBytes);
    this.maxBytes = Number.isNaN(b) ? Infinity : b;
  }

  /** Entries kept. */
  get length(): number {
    return this.count;
  }

  /** What the kept entries count against the byte bound (see logEntrySize). */
  get bytes(): number {
    return this.size;
  }

  /** Entries ever added (kept or dropped): a mark for `since`. */
  get total(): number {
    return this.added;
  }

  // Reads walk the ring in two runs, from `head` to the end and then from the start, into a
  // preallocated array: as fast as copying a plain array.

  /** The kept entries, oldest first (a new array). */
  get entries(): LogEntry[] {
    return this.newest(this.count);
  }

  /** The kept entries added after `mark` (a `total` read earlier), oldest first. */
  since(mark: number): LogEntry[] {
    return this.newest(Math.max(0, Math.min(this.count, this.added - mark)));
  }

  private newest(n: number): LogEntry[] {
    const r = this.ring;
    const out = new Array<LogEntry>(n);
    let i = this.head + (this.count - n);
    if (i >= r.length) i -= r.length;
    const firstRun = Math.min(n, r.length - i);
    let j = 0;
    for (let k = 0; k < firstRun; k++) out[j++] = r[i + k]!;
    for (let k = 0; j < n; k++) out[j++] = r[k]!;
    return out;
  }

  add(e: LogEntry): void {
    this.added++;
    if (this.capacity > 0) this.keep(e);
    this.sink?.(e);
    if (this.echo) {
      const name = LOG_LEVEL_NAMES[e.level] ?? String(e.level);
      process.stderr.write(`[${name}] ${formatLogEntry(e)}\n`);
    }
  }

  private keep(e: LogEntry): void {
    const bytes = logEntrySize(e);
    // The newest entry is always kept, even alone past the byte bound.
    while (this.count > 0 && (this.count >= this.capacity || this.size + bytes > this.maxBytes))
      this.dropOldest();
    let r = this.ring;
    if (this.count === r.length) {
      const grown = new Array<LogEntry | undefined>(
        Math.min(this.capacity, Math.max(8, r.length * 2)),
      );
      for (let k = 0; k < this.count; k++) grown[k] = r[(this.head + k) % r.length];
      this.ring = r = grown;
      this.head = 0;
    }
    let at = this.head + this.count;
    if (at >= r.length) at -= r.length;
    r[at] = e;
    this.count++;
    this.size += bytes;
  }

  private dropOldest(): void {
    const r = this.ring;
    this.size -= logEntrySize(r[this.head]!);
    r[this.head] = undefined;
    this.head = this.head + 1 === r.length ? 0 : this.head + 1;
    this.count--;
  }

  /** Messages at exactly `level`, or all messages, oldest first. */
  messages(level?: LogLevelName | number): string[] {
    // One walk of the ring (no intermediate array of entries).
    const l = level === undefined ? undefined : toLogLevel(level);
    const r = this.ring;
    const out: string[] = l === undefined ? new Array<string>(this.count) : [];
    let i = this.head;
    for (let k = 0; k < this.count; k++) {
      const e = r[i]!;
      if (l === undefined) out[k] = e.message;
      else if (e.level === l) out.push(e.message);
      if (++i === r.length) i = 0;
    }
    return out;
  }
}
