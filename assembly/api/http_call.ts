import { proxy_http_call } from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { BaseContext } from "../contexts/base_context";
import { Headers, serializeHeaders } from "./pairs";
import { RETURN_U32 } from "../dispatch/memory";
import { HttpCallCallback, rememberCall } from "../dispatch/callouts";
import { encodeString } from "../dispatch/utf8_codec";

let lastToken: u32 = 0;

/** The token of the last callout (HTTP or gRPC) that the host accepted. */
export function lastCallToken(): u32 {
  return lastToken;
}

/** @internal Records the token the host wrote for an accepted call. */
export function acceptToken(
  origin: BaseContext,
  callback: HttpCallCallback | null,
  isStream: bool,
): u32 {
  lastToken = load<u32>(RETURN_U32);
  rememberCall(lastToken, origin, callback, isStream);
  return lastToken;
}

/**
 * Sends an HTTP request to `cluster` (an upstream cluster name of the proxy). `headers` must
 * hold `:method`, `:path` and `:authority`. The reply goes to `origin.onHttpCallResponse`, or to
 * `callback` when one is given. Returns the host's result; the token is `lastCallToken()`.
 */
export function dispatchHttpCall(
  origin: BaseContext,
  cluster: string,
  headers: Headers,
  body: ArrayBuffer | null,
  trailers: Headers,
  timeout_milliseconds: u32,
  callback: HttpCallCallback | null = null,
): WasmResult {
  const upstream = encodeString(cluster);
  const headerBytes = serializeHeaders(headers);
  const trailerBytes = serializeHeaders(trailers);
  const bodyPtr = body !== null ? changetype<usize>(body) : 0;
  const bodyLen = body !== null ? <usize>body.byteLength : 0;
  const result = <WasmResult>(
    proxy_http_call(
      changetype<usize>(upstream),
      upstream.byteLength,
      changetype<usize>(headerBytes),
      headerBytes.byteLength,
      bodyPtr,
      bodyLen,
      changetype<usize>(trailerBytes),
      trailerBytes.byteLength,
      timeout_milliseconds,
      RETURN_U32,
    )
  );
  if (result == WasmResult.Ok) acceptToken(origin, callback, false);
  return result;
}
