import {
  proxy_close_stream,
  proxy_continue_stream,
  proxy_send_local_response,
} from "../abi/imports";
import { GrpcStatus, StreamType, WasmResult } from "../abi/enums";
import { Headers, serializeHeaders } from "./pairs";
import { encodeString } from "../dispatch/utf8_codec";

/** Resumes a paused stream; takes effect when the current callback returns. */
export function continue_stream(stream_type: StreamType): WasmResult {
  return <WasmResult>proxy_continue_stream(stream_type);
}

/** Resets an HTTP stream or closes a TCP side; takes effect when the current callback returns. */
export function close_stream(stream_type: StreamType): WasmResult {
  return <WasmResult>proxy_close_stream(stream_type);
}

/**
 * Answers the current request from the filter. Sent when the callback returns, which the host
 * then treats as Stop. Whitespace in `details` becomes `_` on Envoy.
 */
export function send_local_response(
  response_code: u32,
  response_code_details: string,
  body: ArrayBuffer,
  additional_headers: Headers,
  grpc_status: GrpcStatus = GrpcStatus.InvalidCode,
): WasmResult {
  const details = encodeString(response_code_details);
  const headers = serializeHeaders(additional_headers);
  return <WasmResult>(
    proxy_send_local_response(
      response_code,
      changetype<usize>(details),
      details.byteLength,
      changetype<usize>(body),
      body.byteLength,
      changetype<usize>(headers),
      headers.byteLength,
      grpc_status,
    )
  );
}
