// Log lines kept per level, as proxytest's GetTraceLogs…GetCriticalLogs.
import { LOG_LEVEL_NAMES, type LogLevelName, toLogLevel } from "./enums.js";

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

export class LogStore {
  // A ring once full: dropping the oldest entry is one overwrite, not a shift of the whole array.
  private readonly ring: LogEntry[] = [];
  /** Index of the oldest entry once the ring is full (0 while it grows). */
  private head = 0;
  private readonly capacity: number;

  constructor(
    private readonly sink?: (e: LogEntry) => void,
    private readonly echo = false,
    limit = Infinity,
  ) {
    this.capacity = capacityOf(limit);
  }

  /** Entries kept. */
  get length(): number {
    return this.ring.length;
  }

  // Reads walk the ring in two runs, from `head` to the end and then from the start, into a
  // preallocated array: as fast as copying the plain array was.

  /** The kept entries, oldest first (a new array). */
  get entries(): LogEntry[] {
    const r = this.ring;
    const out = new Array<LogEntry>(r.length);
    let j = 0;
    for (let i = this.head; i < r.length; i++) out[j++] = r[i];
    for (let i = 0; i < this.head; i++) out[j++] = r[i];
    return out;
  }

  add(e: LogEntry): void {
    const r = this.ring;
    if (r.length < this.capacity) r.push(e);
    else if (this.capacity > 0) {
      r[this.head] = e;
      this.head = this.head + 1 === this.capacity ? 0 : this.head + 1;
    }
    this.sink?.(e);
    if (this.echo) {
      const name = LOG_LEVEL_NAMES[e.level] ?? String(e.level);
      process.stderr.write(`[${name}] ${formatLogEntry(e)}\n`);
    }
  }

  /** Messages at exactly `level`, or all messages, oldest first. */
  messages(level?: LogLevelName | number): string[] {
    const r = this.ring;
    if (level === undefined) {
      const out = new Array<string>(r.length);
      let j = 0;
      for (let i = this.head; i < r.length; i++) out[j++] = r[i].message;
      for (let i = 0; i < this.head; i++) out[j++] = r[i].message;
      return out;
    }
    const l = toLogLevel(level);
    const out: string[] = [];
    for (let i = this.head; i < r.length; i++) if (r[i].level === l) out.push(r[i].message);
    for (let i = 0; i < this.head; i++) if (r[i].level === l) out.push(r[i].message);
    return out;
  }
}
