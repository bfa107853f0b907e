// access_log: one structured (JSON) log line per request, written when the request is over.
//
// onLog runs after the response has been sent, with the request and response headers readable
// again, so everything about the request can be read from Envoy's attributes (properties) in one
// place: method, path, status, duration, client address. Nothing is added to the request path.
//
// A line looks like:
//   {"start_time":"2026-01-01T00:00:00.000Z","method":"GET","path":"/search?q=wasm",
//    "authority":"shop.example","status":200,"duration_ms":42,"request_id":"…",
//    "user_agent":"curl/8.5.0","client":"10.0.0.7:51234","details":"via_upstream"}
// No configuration.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  JSON,
  LogLevel,
  Result,
  RootContext,
  getCurrentTimeNanoseconds,
  getPropertyInt,
  log,
  registerRootContext,
  request,
  response,
  source,
} from "proxy-wasm-as";

class AccessLogRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new AccessLog(contextId, this);
  }
}

/** A JSON string, or null when the attribute is not available (for example no request headers). */
function text(value: string | null): JSON.Value {
  if (value === null) return JSON.Value.Null();
  // Header values may contain tabs (the only control character Envoy lets through), and
  // assemblyscript-json's stringify() does not escape control characters correctly.
  return JSON.Value.String(value.replaceAll("\t", " "));
}

/** A JSON integer, or null when the value is not available. */
function integer(value: Result<i64>): JSON.Value {
  return value.ok ? JSON.Value.Integer(value.value) : JSON.Value.Null();
}

/** Nanoseconds to the nearest millisecond. */
function nearestMs(nanoseconds: i64): i64 {
  return (nanoseconds + 500_000) / 1_000_000;
}

class AccessLog extends Context {
  onLog(): void {
    const start = request.time(); // ns since the epoch
    // Envoy's request.duration (ns) is set once the stream is complete; otherwise measure it.
    const duration = getPropertyInt("request.duration");
    const now = getCurrentTimeNanoseconds();
    let durationMs: JSON.Value = JSON.Value.Null();
    if (duration.ok) durationMs = JSON.Value.Integer(nearestMs(duration.value));
    else if (start.ok && now.ok)
      durationMs = JSON.Value.Integer(nearestMs(<i64>now.value - start.value));
    const startTime = start.ok ? new Date(start.value / 1_000_000).toISOString() : null;

    // The JSON library escapes quotes and backslashes, so a path cannot break the line.
    const line = JSON.Value.Object();
    line.set("start_time", text(startTime));
    line.set("method", text(request.method()));
    line.set("path", text(request.path()));
    line.set("authority", text(request.host()));
    line.set("status", integer(response.code()));
    line.set("duration_ms", durationMs);
    line.set("request_id", text(request.id()));
    line.set("user_agent", text(request.userAgent()));
    line.set("client", text(source.address()));
    line.set("details", text(response.codeDetails()));
    log(LogLevel.Info, line.stringify());
  }
}

registerRootContext((contextId: u32) => new AccessLogRoot(contextId), "access_log");
