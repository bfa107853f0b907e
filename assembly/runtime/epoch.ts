// A counter that changes whenever what the host's maps refer to may have changed: at every
// callback, and when the effective context switches. Caches of host data (the header map
// snapshots in headers.ts) are valid only while it stays the same.

let current: u32 = 1;

/** The current epoch. */
export function epoch(): u32 {
  return current;
}

/** Starts a new epoch: every cache of host data is stale from now on. */
export function nextEpoch(): void {
  current++;
}
