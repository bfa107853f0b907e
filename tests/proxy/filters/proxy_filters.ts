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
  RootContext,
  dequeueSharedQueue,
  dispatchHttpCall,
  enqueueSharedQueue,
  getSharedData,
  grpc_receive_buffer,
  grpcSend,
  lastCallToken,
  http_call_response_body,
  http_call_response_headers,
  logInfo,
  logWarn,
  makeHeaders,
  registerRootContext,
  registerSharedQueue,
  resolveSharedQueue,
  setSharedDataString,
  stream_body,
  stream_context,
} from "proxy-wasm-as";

// ---- rewrite_body ----------------------------------------------------------------------------

class RewriteRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new Rewrite(context_id, this);
  }
}

class Rewrite extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    stream_context.headers.request.remove("content-length");
    return FilterHeadersStatus.Continue;
  }
  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    if (!end_of_stream) return FilterDataStatus.StopIterationAndBuffer;
    const body = stream_body.request.getString();
    stream_body.request.replaceString(body === null ? "" : body.toUpperCase());
    return FilterDataStatus.Continue;
  }
  onResponseBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    if (!end_of_stream) return FilterDataStatus.StopIterationAndBuffer;
    const body = stream_body.response.getString();
    stream_body.response.replaceString("[" + (body === null ? "" : body) + "]");
    return FilterDataStatus.Continue;
  }
}

registerRootContext((id: u32) => new RewriteRoot(id), "rewrite_body");

// ---- chunk_upper -----------------------------------------------------------------------------

class ChunkUpperRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new ChunkUpper(context_id, this);
  }
}

class ChunkUpper extends Context {
  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    stream_context.headers.response.add("x-chunk-upper", "1");
    return FilterHeadersStatus.Continue;
  }
  onResponseBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    const body = stream_body.response.getString();
    if (body !== null && body.length > 0) stream_body.response.replaceString(body.toUpperCase());
    return FilterDataStatus.Continue;
  }
}

registerRootContext((id: u32) => new ChunkUpperRoot(id), "chunk_upper");

// ---- local_reply -----------------------------------------------------------------------------

class LocalReplyRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new LocalReply(context_id, this);
  }
}

class LocalReply extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const path = stream_context.headers.request.get(":path");
    if (path.startsWith("/deny")) {
      logInfo("denying " + path);
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
  createContext(context_id: u32): Context {
    return new Callout(context_id, this);
  }
}

class Callout extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const path = stream_context.headers.request.get(":path");
    // The configuration, when given, is the callout timeout in milliseconds.
    const config = (<RootContext>this.root_context).getConfiguration();
    const timeout: u32 = config == "" ? 5000 : <u32>I32.parseInt(config);
    const r = this.dispatchHttpCall(
      "auth",
      makeHeaders([":method", "GET", ":path", "/check?for=" + path, ":authority", "auth"]),
      null,
      [],
      timeout,
    );
    if (r != 0) {
      logWarn("dispatch failed: " + r.toString());
      return FilterHeadersStatus.Continue;
    }
    return FilterHeadersStatus.StopIteration;
  }

  onHttpCallResponse(token: u32, num_headers: u32, body_size: usize, num_trailers: u32): void {
    const status = num_headers == 0 ? "failed" : http_call_response_headers.get(":status");
    const body = http_call_response_body.getString();
    const text = body === null ? "" : body;
    logInfo("auth said " + status + " " + text);
    if (status == "200") {
      stream_context.headers.request.add("x-auth", text);
      this.continueRequest();
    } else {
      this.sendLocalResponse(403, "auth_denied", String.UTF8.encode("auth said " + status), []);
    }
  }
}

registerRootContext((id: u32) => new CalloutRoot(id), "callout");

// ---- trap ------------------------------------------------------------------------------------

class TrapRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new Trap(context_id, this);
  }
}

class Trap extends Context {
  path: string = "";
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    this.path = stream_context.headers.request.get(":path");
    if (this.path == "/trap") unreachable();
    return FilterHeadersStatus.Continue;
  }
  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    if (this.path == "/trap-response") unreachable();
    stream_context.headers.response.add("x-trap-filter", "alive");
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
  createContext(context_id: u32): Context {
    return new Ticker(context_id, this);
  }
}

class Ticker extends Context {
  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const d = getSharedData("ticks");
    stream_context.headers.response.add("x-ticks", d === null ? "0" : d.text);
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((id: u32) => new TickerRoot(id), "ticker");

// ---- producer / consumer ---------------------------------------------------------------------

class ProducerRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new Producer(context_id, this);
  }
}

class Producer extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const q = resolveSharedQueue("", "paths");
    if (q != 0) {
      enqueueSharedQueue(q, String.UTF8.encode(stream_context.headers.request.get(":path")));
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((id: u32) => new ProducerRoot(id), "producer");

class ConsumerRoot extends RootContext {
  queue: u32 = 0;
  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    this.queue = registerSharedQueue("paths");
    return true;
  }
  onQueueReady(queue_id: u32): void {
    const item = dequeueSharedQueue(queue_id);
    if (item !== null) setSharedDataString("last_path", String.UTF8.decode(item));
  }
  createContext(context_id: u32): Context {
    return new Consumer(context_id, this);
  }
}

class Consumer extends Context {
  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const d = getSharedData("last_path");
    stream_context.headers.response.add("x-last-path", d === null ? "none" : d.text);
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((id: u32) => new ConsumerRoot(id), "consumer");

// ---- grpc ------------------------------------------------------------------------------------

class GrpcRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new GrpcFilter(context_id, this);
  }
}

class GrpcFilter extends Context {
  got: string = "";
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const path = stream_context.headers.request.get(":path");
    if (path.startsWith("/grpc-stream")) {
      if (this.openGrpcStream("grpc", "test.Echo", "Chat", makeHeaders(["x-md", "s"])) != 0) {
        return FilterHeadersStatus.Continue;
      }
      const token = lastCallToken();
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
    return r == 0 ? FilterHeadersStatus.StopIteration : FilterHeadersStatus.Continue;
  }

  onGrpcReceive(token: u32, message_size: usize): void {
    const m = grpc_receive_buffer.getString();
    const text = m === null ? "" : m;
    if ((token & 3) == 2) {
      this.got += text + ";";
      return;
    }
    stream_context.headers.request.add("x-grpc", text);
    this.continueRequest();
  }

  onGrpcClose(token: u32, status_code: u32): void {
    if ((token & 3) == 2 && status_code == 0) {
      stream_context.headers.request.add("x-grpc", this.got);
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
