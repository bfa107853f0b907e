// The emulator's view of a stream callback's answer.

/** What a stream callback asked for, after Envoy's status mapping (proxy-wasm `Action`). */
export const Action = { Continue: 0, Pause: 1 } as const;
export type Action = (typeof Action)[keyof typeof Action];
