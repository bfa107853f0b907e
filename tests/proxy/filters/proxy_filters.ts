// Test filters for the dev proxy, one root id each:
//   rewrite_body  buffers both bodies and rewrites them (request upper-cased, response wrapped
//                 in [ ]); removes the request's content-length, leaves the response's
//   chunk_upper   upper-cases every response chunk as it passes (no buffering)
//   local_reply   answers /deny* itself (403, x-filter: local)
//   callout       asks cluster "auth" (/check) and waits: 200 → x-auth: <reply body> upstream,
//                 else a local 403 "auth said <status>"; the configuration is the timeout (ms)
//   trap          traps on /trap (request headers) and /trap-response (response headers),
//                 otherwise adds x-trap-filter: alive to the response
//   ticker        ticks every 10 ms, counting ticks in shared data; adds x-ticks to responses
//   grpc          /grpc-stream*: opens stream test.Echo/Chat on cluster "grpc", sends "one" and
//                 "two", adds x-grpc: <replies> when it closes; other paths: unary
//                 test.Echo/Say (test.Echo/Fail for /grpc-fail*) with the path, adds
//                 x-grpc: <reply>; a failure answers 503 "grpc status N"
//   producer      enqueues the request path on queue "paths"
//   consumer      registers queue "paths", keeps the last item in shared data, adds
//                 x-last-path to responses
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterDataStatus,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  dequeueSharedQueue,
  enqueueSharedQueue,
  getSharedData,
  grpcMessage,
  grpcSend,
  httpCallResponseBody,
  httpCallResponseHeaders,
  log,
  makeHeaders,
  registerRootContext,
  registerSharedQueue,
  requestBody,
  requestHeaders,
  resolveSharedQueue,
  responseBody,
  responseHeaders,
  setSharedDataString,
} from "proxy-wasm-as";

/** A header value, or "" when the header is absent. */
function orEmpty(value: string | null): string {
  return value !== null ? value : "";
}

// ---- rewrite_body ----------------------------------------------------------------------------

class RewriteRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new Rewrite(contextId, this);
  }
}

class Rewrite extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    requestHeaders.remove("content-length");
    return FilterHeadersStatus.Continue;
  }
  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    if (!end_of_stream) return FilterDataStatus.StopIterationAndBuffer;
    const body = requestBody.getString();
    requestBody.replaceString(body === null ? "" : body.toUpperCase());
    return FilterDataStatus.Continue;
  }
  onResponseBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    if (!end_of_stream) return FilterDataStatus.StopIterationAndBuffer;
    const body = responseBody.getString();
    responseBody.replaceString("[" + (body === null ? "" : body) + "]");
    return FilterDataStatus.Continue;
  }
}

registerRootContext((id: u32) => new RewriteRoot(id), "rewrite_body");

// ---- chunk_upper -----------------------------------------------------------------------------

class ChunkUpperRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new ChunkUpper(contextId, this);
  }
}

class ChunkUpper extends Context {
  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    responseHeaders.add("x-chunk-upper", "1");
    return FilterHeadersStatus.Continue;
  }
  onResponseBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    const body = responseBody.getString();
    if (body !== null && body.length > 0) responseBody.replaceString(body.toUpperCase());
    return FilterDataStatus.Continue;
  }
}

registerRootContext((id: u32) => new ChunkUpperRoot(id), "chunk_upper");

// ---- local_reply -----------------------------------------------------------------------------

class LocalReplyRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new LocalReply(contextId, this);
  }
}

class LocalReply extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const path = orEmpty(requestHeaders.get(":path"));
    if (path.startsWith("/deny")) {
      log(LogLevel.Info, "denying " + path);
      this.sendLocalResponse(
        403,
        "denied by filter",
        String.UTF8.encode("denied\n"),
        makeHeaders(["x-filter", "local"]),
      );
      return FilterHeadersStatus.StopIteration;
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((id: u32) => new LocalReplyRoot(id), "local_reply");

// ---- callout ---------------------------------------------------------------------------------

class CalloutRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new Callout(contextId, this);
  }
}

class Callout extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const path = orEmpty(requestHeaders.get(":path"));
    // The configuration, when given, is the callout timeout in milliseconds.
    const config = (<RootContext>this.rootContext).getConfiguration();
    const timeout: u32 = config == "" ? 5000 : <u32>I32.parseInt(config);
    const r = this.dispatchHttpCall(
      "auth",
      makeHeaders([":method", "GET", ":path", "/check?for=" + path, ":authority", "auth"]),
      null,
      [],
      timeout,
    );
    if (!r.ok) {
      log(LogLevel.Warn, "dispatch failed: " + r.status.toString());
      return FilterHeadersStatus.Continue;
    }
    return FilterHeadersStatus.StopIteration;
  }

  onHttpCallResponse(token: u32, num_headers: u32, body_size: usize, num_trailers: u32): void {
    const status = num_headers == 0 ? "failed" : orEmpty(httpCallResponseHeaders.get(":status"));
    const body = httpCallResponseBody.getString();
    const text = body === null ? "" : body;
    log(LogLevel.Info, "auth said " + status + " " + text);
    if (status == "200") {
      requestHeaders.add("x-auth", text);
      this.continueRequest();
    } else {
      this.sendLocalResponse(403, "auth_denied", String.UTF8.encode("auth said " + status), []);
    }
  }
}

registerRootContext((id: u32) => new CalloutRoot(id), "callout");

// ---- trap ------------------------------------------------------------------------------------

class TrapRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new Trap(contextId, this);
  }
}

class Trap extends Context {
  path: string = "";
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    this.path = orEmpty(requestHeaders.get(":path"));
    if (this.path == "/trap") unreachable();
    return FilterHeadersStatus.Continue;
  }
  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    if (this.path == "/trap-response") unreachable();
    responseHeaders.add("x-trap-filter", "alive");
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((id: u32) => new TrapRoot(id), "trap");

// ---- ticker ----------------------------------------------------------------------------------

class TickerRoot extends RootContext {
  ticks: u32 = 0;
  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    this.setTickPeriod(10);
    return true;
  }
  onTick(): void {
    this.ticks++;
    setSharedDataString("ticks", this.ticks.toString());
  }
  createContext(contextId: u32): Context {
    return new Ticker(contextId, this);
  }
}

class Ticker extends Context {
  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const d = getSharedData("ticks");
    responseHeaders.add("x-ticks", d === null ? "0" : d.text);
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((id: u32) => new TickerRoot(id), "ticker");

// ---- producer / consumer ---------------------------------------------------------------------

class ProducerRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new Producer(contextId, this);
  }
}

class Producer extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const q = resolveSharedQueue("", "paths");
    if (q.ok) {
      enqueueSharedQueue(q.value, String.UTF8.encode(orEmpty(requestHeaders.get(":path"))));
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((id: u32) => new ProducerRoot(id), "producer");

class ConsumerRoot extends RootContext {
  queue: u32 = 0;
  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    this.queue = registerSharedQueue("paths").value;
    return true;
  }
  onQueueReady(queue_id: u32): void {
    const item = dequeueSharedQueue(queue_id);
    if (item !== null) setSharedDataString("last_path", String.UTF8.decode(item));
  }
  createContext(contextId: u32): Context {
    return new Consumer(contextId, this);
  }
}

class Consumer extends Context {
  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const d = getSharedData("last_path");
    responseHeaders.add("x-last-path", d === null ? "none" : d.text);
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((id: u32) => new ConsumerRoot(id), "consumer");

// ---- grpc ------------------------------------------------------------------------------------

class GrpcRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new GrpcFilter(contextId, this);
  }
}

class GrpcFilter extends Context {
  got: string = "";
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const path = orEmpty(requestHeaders.get(":path"));
    if (path.startsWith("/grpc-stream")) {
      const stream = this.openGrpcStream("grpc", "test.Echo", "Chat", makeHeaders(["x-md", "s"]));
      if (!stream.ok) return FilterHeadersStatus.Continue;
      const token = stream.value;
      grpcSend(token, String.UTF8.encode("one"));
      grpcSend(token, String.UTF8.encode("two"), true);
      return FilterHeadersStatus.StopIteration;
    }
    const method = path.startsWith("/grpc-fail") ? "Fail" : "Say";
    const r = this.dispatchGrpcCall(
      "grpc",
      "test.Echo",
      method,
      makeHeaders(["x-md", "1"]),
      String.UTF8.encode(path),
      2000,
    );
    return r.ok ? FilterHeadersStatus.StopIteration : FilterHeadersStatus.Continue;
  }

  onGrpcReceive(token: u32, message_size: usize): void {
    const m = grpcMessage.getString();
    const text = m === null ? "" : m;
    if ((token & 3) == 2) {
      this.got += text + ";";
      return;
    }
    requestHeaders.add("x-grpc", text);
    this.continueRequest();
  }

  onGrpcClose(token: u32, status_code: u32): void {
    if ((token & 3) == 2 && status_code == 0) {
      requestHeaders.add("x-grpc", this.got);
      this.continueRequest();
      return;
    }
    this.sendLocalResponse(
      503,
      "grpc_failed",
      String.UTF8.encode("grpc status " + status_code.toString()),
      [],
    );
  }
}

registerRootContext((id: u32) => new GrpcRoot(id), "grpc");
