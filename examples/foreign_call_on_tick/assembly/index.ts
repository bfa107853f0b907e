// foreign_call_on_tick: call a function of the host from a timer. Every stream adds an access
// log line to a batch kept by the root context; every second the root compresses the batch with
// Envoy's `compress` foreign function (zlib) and ships it to a log collector. The batch is a
// buffer of BATCH_BYTES: a line that would not fit ships the batch at once, so a busy second
// cannot grow memory without bound.
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
/** Bytes a batch holds before it is shipped without waiting for the tick. */
const BATCH_BYTES = 16384;

class LogShipperRoot extends RootContext {
  /** The lines so far, as UTF-8 with a newline after each; `used` bytes of it. */
  batch: ArrayBuffer = new ArrayBuffer(BATCH_BYTES);
  used: i32 = 0;
  canCompress: bool = true;

  onConfigure(configurationSize: u32): bool {
    this.setTickPeriod(FLUSH_PERIOD_MS);
    return super.onConfigure(configurationSize);
  }

  onTick(): void {
    this.ship();
  }

  /** A line for the batch: the batch ships first when the line would not fit in it. */
  add(line: string): void {
    const bytes = String.UTF8.encode(line + "\n");
    const size = bytes.byteLength;
    if (this.used + size > BATCH_BYTES) this.ship();
    if (size > BATCH_BYTES) {
      this.post(bytes); // longer than a whole batch: on its own
      return;
    }
    memory.copy(changetype<usize>(this.batch) + this.used, changetype<usize>(bytes), size);
    this.used += size;
  }

  /** Ships the batch, if it has anything. */
  ship(): void {
    if (this.used == 0) return;
    const body = this.batch.slice(0, this.used);
    this.used = 0;
    this.post(body);
  }

  /** Compresses `body` (when the host can) and posts it to the collector. */
  post(body: ArrayBuffer): void {
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
