// foreign_call_on_tick: call a function of the host from a timer. Every stream adds an access
// log line to a batch kept by the root context; every second the root compresses the batch with
// Envoy's `compress` foreign function (zlib) and ships it to a log collector. A batch that
// reaches MAX_BATCH_LINES is shipped at once, so a busy second cannot grow memory without bound.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  LogLevel,
  RootContext,
  callForeignFunction,
  httpCallResponseHeaders,
  log,
  makeHeaders,
  registerRootContext,
  requestHeaders,
  responseHeaders,
} from "proxy-wasm-as";

const COLLECTOR_CLUSTER = "collector";
const FLUSH_PERIOD_MS: u32 = 1000;
/** Lines a batch may hold before it is shipped without waiting for the tick. */
const MAX_BATCH_LINES = 100;

class LogShipperRoot extends RootContext {
  batch: string[] = [];
  canCompress: bool = true;

  onConfigure(configurationSize: u32): bool {
    this.setTickPeriod(FLUSH_PERIOD_MS);
    return super.onConfigure(configurationSize);
  }

  onTick(): void {
    this.ship();
  }

  /** A line for the batch; a full batch is shipped now. */
  add(line: string): void {
    this.batch.push(line);
    if (this.batch.length >= MAX_BATCH_LINES) this.ship();
  }

  /** Compresses the batch (when the host can) and posts it to the collector. */
  ship(): void {
    if (this.batch.length == 0) return;
    const text = this.batch.join("\n") + "\n";
    this.batch = [];
    let body = String.UTF8.encode(text);
    let encoding = "identity";
    if (this.canCompress) {
      // Foreign functions take and return raw bytes; Envoy's `compress` returns zlib data.
      const compressed = callForeignFunction("compress", body);
      if (compressed.ok) {
        log(
          LogLevel.Info,
          "compressed " +
            body.byteLength.toString() +
            " bytes of access log to " +
            compressed.value.byteLength.toString(),
        );
        body = compressed.value;
        encoding = "deflate";
      } else {
        // NotFound: this host has no such function. Do not ask again on every tick.
        log(
          LogLevel.Warn,
          "compress unavailable (result " +
            compressed.status.toString() +
            "); shipping uncompressed",
        );
        this.canCompress = false;
      }
    }
    // prettier-ignore
    const headers = makeHeaders([
      ":method", "POST",
      ":path", "/logs",
      ":authority", COLLECTOR_CLUSTER,
      "content-type", "text/plain",
      "content-encoding", encoding,
    ]);
    const call = this.dispatchHttpCall(COLLECTOR_CLUSTER, headers, body, [], 5000);
    if (!call.ok) log(LogLevel.Warn, "log batch dropped: result " + call.status.toString());
  }

  onHttpCallResponse(token: u32, numHeaders: u32, bodySize: usize, numTrailers: u32): void {
    const status = numHeaders == 0 ? "reset" : orDash(httpCallResponseHeaders.get(":status"));
    if (status != "200" && status != "204") log(LogLevel.Warn, "collector answered " + status);
  }

  createContext(contextId: u32): Context {
    return new AccessLog(contextId, this);
  }
}

class AccessLog extends Context {
  onLog(): void {
    // At access-log time the request and response headers are readable again.
    const method = orDash(requestHeaders.get(":method"));
    const path = orDash(requestHeaders.get(":path"));
    const status = orDash(responseHeaders.get(":status"));
    (this.rootContext as LogShipperRoot).add(method + " " + path + " " + status);
  }
}

/** A header value for the log line: "-" when the header is absent. */
function orDash(value: string | null): string {
  return value !== null ? value : "-";
}

registerRootContext((contextId: u32) => new LogShipperRoot(contextId), "foreign_call_on_tick");
