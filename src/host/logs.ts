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

export class LogStore {
  readonly entries: LogEntry[] = [];
  constructor(
    private readonly sink?: (e: LogEntry) => void,
    private readonly echo = false,
    private readonly limit = Infinity,
  ) {}

  add(e: LogEntry): void {
    this.entries.push(e);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    this.sink?.(e);
    if (this.echo) {
      const name = LOG_LEVEL_NAMES[e.level] ?? String(e.level);
      process.stderr.write(`[${name}] ${formatLogEntry(e)}\n`);
    }
  }

  /** Messages at exactly `level`, or all messages. */
  messages(level?: LogLevelName | number): string[] {
    if (level === undefined) return this.entries.map((e) => e.message);
    const l = toLogLevel(level);
    return this.entries.filter((e) => e.level === l).map((e) => e.message);
  }
}
