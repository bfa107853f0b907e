// http_auth_random: hold every request while an HTTP callout decides whether it may pass.
// The "authorization service" here is httpbin's /uuid: a random UUID whose last hex digit is
// even lets the request through, odd answers 403. Swap in your own service and rule.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  httpCallResponseBody,
  httpCallResponseHeaders,
  log,
  makeHeaders,
  registerRootContext,
  requestHeaders,
} from "proxy-wasm-as";

/** The upstream cluster of the authorization service (see envoy.yaml). */
const AUTH_CLUSTER = "httpbin";
const AUTH_TIMEOUT_MS: u32 = 5000;

class AuthRandomRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new AuthRandom(contextId, this);
  }
}

class AuthRandom extends Context {
  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const call = this.dispatchHttpCall(
      AUTH_CLUSTER,
      makeHeaders([":method", "GET", ":path", "/uuid", ":authority", "httpbin.org"]),
      null,
      [],
      AUTH_TIMEOUT_MS,
    );
    if (!call.ok) {
      log(LogLevel.Error, "auth callout not sent: result " + call.status.toString());
      this.deny(503, "auth_service_unavailable");
      return FilterHeadersStatus.StopIteration;
    }
    // Hold the request (headers and any body) until onHttpCallResponse decides.
    return FilterHeadersStatus.StopIteration;
  }

  onHttpCallResponse(token: u32, numHeaders: u32, bodySize: usize, numTrailers: u32): void {
    // No headers means the call failed (reset, no healthy upstream): fail closed.
    if (numHeaders == 0 || httpCallResponseHeaders.get(":status") != "200") {
      log(LogLevel.Warn, "auth service failed; denying the request");
      this.deny(503, "auth_service_unavailable");
      return;
    }
    const uuid = httpCallResponseBody.getString(0, <u32>bodySize);
    if (uuid !== null && allowed(uuid)) {
      log(LogLevel.Info, "access granted");
      // The request headers can still be changed: the request has not gone upstream yet.
      requestHeaders.add("x-auth-decision", "allowed");
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

registerRootContext((contextId: u32) => new AuthRandomRoot(contextId), "http_auth_random");
