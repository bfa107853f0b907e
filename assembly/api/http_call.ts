import { proxy_http_call } from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { BaseContext } from "../contexts/base_context";
import { Headers, serializeHeaders } from "./pairs";
import { RETURN_U32 } from "../dispatch/memory";
import { HttpCallCallback, rememberCall } from "../dispatch/callouts";
import { encodeString } from "../dispatch/utf8_codec";
import { Result } from "./result";

/**
 * @internal The answer to a callout hostcall: the token the host wrote, remembered so the reply
 * reaches `origin` (or `callback`), or the host's refusal.
 */
export function acceptToken(
  result: WasmResult,
  origin: BaseContext,
  callback: HttpCallCallback | null,
  isStream: bool,
): Result<u32> {
  if (result != WasmResult.Ok) return new Result<u32>(result, 0);
  const token = load<u32>(RETURN_U32);
  rememberCall(token, origin, callback, isStream);
  return new Result<u32>(result, token);
}

/**
 * Sends an HTTP request to `cluster` (an upstream cluster name of the proxy). `headers` must
 * hold `:method`, `:path` and `:authority`. The reply goes to `origin.onHttpCallResponse`, or to
 * `callback` when one is given. Returns the call's token, or (not `ok`) why the host refused.
 */
export function dispatchHttpCall(
  origin: BaseContext,
  cluster: string,
  headers: Headers,
  body: ArrayBuffer | null,
  trailers: Headers,
  timeout_milliseconds: u32,
  callback: HttpCallCallback | null = null,
): Result<u32> {
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
  return acceptToken(result, origin, callback, false);
}
