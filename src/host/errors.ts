// Errors of the host emulator.
import type { TrapError, TrapFrame } from "./trap_location.js";

/** The module could not be loaded: not wasm, no ABI marker, bad linking, no allocator... */
export class LoadError extends Error {
  override name = "LoadError";
}

/** The module loaded but `_initialize`, `proxy_on_vm_start` or `proxy_on_configure` failed. */
export class StartError extends Error {
  override name = "StartError";
  /** The filter's own log lines (and the host's critical lines) up to the failure. */
  readonly logs: string[];
  /** When a trap stopped the start: where it happened (its `cause` is the engine's error). */
  readonly trap: TrapError | null;
  /** The trap's frames in the filter's source, innermost first (empty without a trap). */
  readonly frames: TrapFrame[];
  constructor(message: string, logs: string[], trap: TrapError | null = null) {
    super(
      logs.length ? `${message}\n${logs.map((l) => `  ${l}`).join("\n")}` : message,
      trap ? { cause: trap.cause } : undefined,
    );
    this.logs = logs;
    this.trap = trap;
    this.frames = trap?.frames ?? [];
  }
}

/** Raised inside a hostcall when a pointer or length is outside linear memory; the hostcall returns 6. */
export class MemoryAccessError extends Error {
  override name = "MemoryAccessError";
}

/**
 * A trap raised by the host itself (e.g. "restricted_callback"); it unwinds the wasm stack like an
 * `unreachable` would and fails the VM.
 */
export class HostTrap extends Error {
  override name = "HostTrap";
}
