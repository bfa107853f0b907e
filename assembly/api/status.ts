import { proxy_done, proxy_get_status } from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { RETURN_LEN, RETURN_PTR, RETURN_U32, clearReturned, takeBuffer } from "../dispatch/memory";
import { decodeString } from "../dispatch/utf8_codec";

/**
 * Why the last callout failed or a gRPC call closed, as the host reports it: a status code (a
 * `GrpcStatus` for gRPC) and a message.
 */
export class CallStatus {
  constructor(
    /** The status code. */
    public readonly code: u32,
    /** The message (often empty). */
    public readonly message: string,
  ) {}
}

/**
 * The status of the last callout reply or gRPC close (`proxy_get_status`), readable in the
 * callout's callbacks: null when the host has none there.
 */
export function getCallStatus(): CallStatus | null {
  clearReturned();
  if (proxy_get_status(RETURN_U32, RETURN_PTR, RETURN_LEN) != WasmResult.Ok) return null;
  const code = load<u32>(RETURN_U32);
  return new CallStatus(code, decodeString(takeBuffer()));
}

/** Tells the host that a root context which answered false from `onDone` has finished. */
export function done(): WasmResult {
  return <WasmResult>proxy_done();
}
