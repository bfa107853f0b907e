// foreign_call_on_tick: call a function of the host from a timer. Every stream adds an access
// log line to a batch kept by the root context; every second the root compresses the batch with
// Envoy's `compress` foreign function (zlib) and ships it to a log collector.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  LogLevel,
  RootContext,
  WasmResult,
  callForeignFunction,
  dispatchHttpCall,
  http_call_response_headers,
  lastForeignFunctionResult,
  log,
  makeHeaders,
  registerRootContext,
  stream_context,
} from "proxy-wasm-as";

const COLLECTOR_CLUSTER = "collector";
const FLUSH_PERIOD_MS: u32 = 1000;

class LogShipperRoot extends RootContext {
  batch: string[] = [];
  canCompress: bool = true;

  onConfigure(configuration_size: u32): bool {
    this.setTickPeriod(FLUSH_PERIOD_MS);
    return super.onConfigure(configuration_size);
  }

  onTick(): void {
    if (this.batch.length == 0) return;
    const text = this.batch.join("\n") + "\n";
    this.batch = [];
    let body = String.UTF8.encode(text);
    let encoding = "identity";
    if (this.canCompress) {
      // Foreign functions take and return raw bytes; Envoy's `compress` returns zlib data.
      const compressed = callForeignFunction("compress", body);
      if (compressed !== null) {
        log(
          LogLevel.Info,
          "compressed " +
            body.byteLength.toString() +
            " bytes of access log to " +
            compressed.byteLength.toString(),
        );
        body = compressed;
        encoding = "deflate";
      } else {
        // NotFound: this host has no such function. Do not ask again on every tick.
        log(
          LogLevel.Warn,
          "compress unavailable (result " +
            lastForeignFunctionResult().toString() +
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
    const result = dispatchHttpCall(this, COLLECTOR_CLUSTER, headers, body, [], 5000);
    if (result != WasmResult.Ok)
      log(LogLevel.Warn, "log batch dropped: result " + result.toString());
  }

  onHttpCallResponse(token: u32, num_headers: u32, body_size: usize, num_trailers: u32): void {
    const status = num_headers == 0 ? "reset" : http_call_response_headers.get(":status");
    if (status != "200" && status != "204") log(LogLevel.Warn, "collector answered " + status);
  }

  createContext(context_id: u32): Context {
    return new AccessLog(context_id, this);
  }
}

class AccessLog extends Context {
  onLog(): void {
    // At access-log time the request and response headers are readable again.
    const request = stream_context.headers.request;
    const status = stream_context.headers.response.getOrNull(":status");
    (this.root_context as LogShipperRoot).batch.push(
      request.get(":method") + " " + request.get(":path") + " " + (status !== null ? status : "-"),
    );
  }
}

registerRootContext((context_id: u32) => new LogShipperRoot(context_id), "foreign_call_on_tick");
