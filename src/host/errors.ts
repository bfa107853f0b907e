// Errors of the host emulator.

/** The module could not be loaded: not wasm, no ABI marker, bad linking, no allocator... */
export class LoadError extends Error {
  override name = "LoadError";
}

/** The module loaded but `_initialize`, `proxy_on_vm_start` or `proxy_on_configure` failed. */
export class StartError extends Error {
  override name = "StartError";
  /** The filter's own log lines (and the host's critical lines) up to the failure. */
  readonly logs: string[];
  constructor(message: string, logs: string[]) {
    super(logs.length ? `${message}\n${logs.map((l) => `  ${l}`).join("\n")}` : message);
    this.logs = logs;
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
