import {
  proxy_close_stream,
  proxy_continue_stream,
  proxy_send_local_response,
} from "../abi/imports";
import { GrpcStatusValues, StreamTypeValues, WasmResultValues } from "../abi/enums";
import { Headers, serializeHeaders } from "./pairs";
import { encodeString } from "../dispatch/utf8_codec";

/** Resumes a paused stream; takes effect when the current callback returns. */
export function continue_stream(stream_type: StreamTypeValues): WasmResultValues {
  return <WasmResultValues>proxy_continue_stream(stream_type);
}

/** Resets an HTTP stream or closes a TCP side; takes effect when the current callback returns. */
export function close_stream(stream_type: StreamTypeValues): WasmResultValues {
  return <WasmResultValues>proxy_close_stream(stream_type);
}

/** Resumes the paused request of the current stream. */
export function continue_request(): WasmResultValues {
  return continue_stream(StreamTypeValues.Request);
}

/** Resumes the paused response of the current stream. */
export function continue_response(): WasmResultValues {
  return continue_stream(StreamTypeValues.Response);
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
  grpc_status: GrpcStatusValues = GrpcStatusValues.InvalidCode,
): WasmResultValues {
  const details = encodeString(response_code_details);
  const headers = serializeHeaders(additional_headers);
  return <WasmResultValues>(
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
