// http_auth_random: hold every request while an HTTP callout decides whether it may pass.
// The "authorization service" here is httpbin's /uuid: a random UUID whose last hex digit is
// even lets the request through, odd answers 403. Swap in your own service and rule.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  WasmResult,
  http_call_response_body,
  http_call_response_headers,
  log,
  makeHeaders,
  registerRootContext,
  stream_context,
} from "proxy-wasm-as";

/** The upstream cluster of the authorization service (see envoy.yaml). */
const AUTH_CLUSTER = "httpbin";
const AUTH_TIMEOUT_MS: u32 = 5000;

class AuthRandomRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new AuthRandom(context_id, this);
  }
}

class AuthRandom extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const result = this.dispatchHttpCall(
      AUTH_CLUSTER,
      makeHeaders([":method", "GET", ":path", "/uuid", ":authority", "httpbin.org"]),
      null,
      [],
      AUTH_TIMEOUT_MS,
    );
    if (result != WasmResult.Ok) {
      log(LogLevel.Error, "auth callout not sent: result " + result.toString());
      this.deny(503, "auth_service_unavailable");
      return FilterHeadersStatus.StopIteration;
    }
    // Hold the request (headers and any body) until onHttpCallResponse decides.
    return FilterHeadersStatus.StopIteration;
  }

  onHttpCallResponse(token: u32, num_headers: u32, body_size: usize, num_trailers: u32): void {
    // No headers means the call failed (reset, no healthy upstream): fail closed.
    if (num_headers == 0 || http_call_response_headers.get(":status") != "200") {
      log(LogLevel.Warn, "auth service failed; denying the request");
      this.deny(503, "auth_service_unavailable");
      return;
    }
    const uuid = http_call_response_body.getString(0, <u32>body_size);
    if (uuid !== null && allowed(uuid)) {
      log(LogLevel.Info, "access granted");
      // The request headers can still be changed: the request has not gone upstream yet.
      stream_context.headers.request.add("x-auth-decision", "allowed");
      this.continueRequest();
    } else {
      log(LogLevel.Info, "access forbidden");
      this.deny(403, "access_forbidden");
    }
  }

  deny(status: u32, details: string): void {
    this.sendLocalResponse(
      status,
      details,
      String.UTF8.encode(status == 403 ? "access forbidden\n" : "authorization unavailable\n"),
      makeHeaders(["x-auth-decision", "denied"]),
    );
  }
}

/** The rule: the last hexadecimal digit of the UUID in the reply is even. */
function allowed(body: string): bool {
  const text = body.trim();
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) return (c - 0x30) % 2 == 0; // 0-9
    if (c >= 0x61 && c <= 0x66) return (c - 0x61 + 10) % 2 == 0; // a-f
  }
  return false;
}

registerRootContext((context_id: u32) => new AuthRandomRoot(context_id), "http_auth_random");
