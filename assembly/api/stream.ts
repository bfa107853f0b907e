import {
  proxy_close_stream,
  proxy_continue_stream,
  proxy_send_local_response,
} from "../abi/imports";
import { GrpcStatus, StreamType, WasmResult } from "../abi/enums";
import { Headers, serializeHeaders } from "./pairs";
import { encodeString } from "../dispatch/utf8_codec";

/**
 * @internal Resumes a paused stream; takes effect when the current callback returns. Filters
 * call `Context.continueRequest()` and the like.
 */
export function continueStream(streamType: StreamType): WasmResult {
  return <WasmResult>proxy_continue_stream(streamType);
}

/**
 * @internal Resets an HTTP stream or closes a TCP side; takes effect when the current callback
 * returns. Filters call `Context.closeRequest()` and the like.
 */
export function closeStream(streamType: StreamType): WasmResult {
  return <WasmResult>proxy_close_stream(streamType);
}

/**
 * @internal Answers the current request from the filter. Sent when the callback returns, which
 * the host then treats as Stop. Whitespace in `details` becomes `_` on Envoy. Filters call
 * `Context.sendLocalResponse`.
 */
export function sendLocalResponse(
  statusCode: u32,
  details: string,
  body: ArrayBuffer,
  headers: Headers,
  grpcStatus: GrpcStatus = GrpcStatus.InvalidCode,
): WasmResult {
  const detailBytes = encodeString(details);
  const headerBytes = serializeHeaders(headers);
  return <WasmResult>(
    proxy_send_local_response(
      statusCode,
      changetype<usize>(detailBytes),
      detailBytes.byteLength,
      changetype<usize>(body),
      body.byteLength,
      changetype<usize>(headerBytes),
      headerBytes.byteLength,
      grpcStatus,
    )
  );
}

// @solo-io/proxy-runtime's names, for assembly/compat/.

/** `continueStream`. */
export function continue_stream(stream_type: StreamType): WasmResult {
  return continueStream(stream_type);
}

/** `closeStream`. */
export function close_stream(stream_type: StreamType): WasmResult {
  return closeStream(stream_type);
}

/** `sendLocalResponse`. */
export function send_local_response(
  response_code: u32,
  response_code_details: string,
  body: ArrayBuffer,
  additional_headers: Headers,
  grpc_status: GrpcStatus = GrpcStatus.InvalidCode,
): WasmResult {
  return sendLocalResponse(
    response_code,
    response_code_details,
    body,
    additional_headers,
    grpc_status,
  );
}
