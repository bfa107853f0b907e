// Replies to HTTP and gRPC callouts arrive at the root context that the host ran the call on.
// This table remembers which context started each call so the reply reaches it.
import { BaseContext } from "../contexts/base_context";

/** Signature of an @solo-io/proxy-runtime style callout callback. */
export type HttpCallCallback = (
  origin_context: BaseContext,
  headers: u32,
  body_size: usize,
  trailers: u32,
) => void;

/** One call in flight. */
export class PendingCall {
  constructor(
    public token: u32,
    public origin: BaseContext,
    public callback: HttpCallCallback | null,
    /** gRPC streams stay pending until their close arrives. */
    public isStream: bool,
    public next: PendingCall | null,
  ) {}
}

// A linked list: few calls are in flight at once, and it needs no array code.
let pending: PendingCall | null = null;
// Set by the only function that adds calls. In a filter that never makes a callout nothing
// sets it, the optimizer sees a constant false, and the reply callbacks shrink to nothing.
let anyCall = false;

/** Remembers that `origin` started the call with `token`. */
export function rememberCall(
  token: u32,
  origin: BaseContext,
  callback: HttpCallCallback | null,
  isStream: bool,
): void {
  anyCall = true;
  pending = new PendingCall(token, origin, callback, isStream, pending);
}

/** The pending call for `token`, or null. `remove` also forgets it. */
export function findCall(token: u32, remove: bool): PendingCall | null {
  if (!anyCall) return null;
  let previous: PendingCall | null = null;
  let call = pending;
  while (call !== null) {
    if (call.token == token) {
      if (remove) {
        if (previous === null) pending = call.next;
        else previous.next = call.next;
      }
      return call;
    }
    previous = call;
    call = call.next;
  }
  return null;
}
