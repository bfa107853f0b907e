// Test filter for stream control: local replies (with headers, details, gRPC status), pausing
// and resuming from the root's onTick (setEffectiveContext + continueRequest / continueResponse),
// closing a stream. Results logged as key=value.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterDataStatus,
  FilterHeadersStatus,
  GrpcStatus,
  LogLevel,
  RootContext,
  log,
  makeHeaders,
  registerRootContext,
  requestHeaders,
  responseHeaders,
} from "proxy-wasm-as";

/** A header value, or "" when the header is absent. */
function orEmpty(value: string | null): string {
  return value !== null ? value : "";
}

function report(key: string, value: string): void {
  log(LogLevel.Info, key + "=" + value);
}

class StreamRoot extends RootContext {
  pausedRequests: StreamFilter[] = [];
  pausedResponses: StreamFilter[] = [];
  pausedResponsesToo: StreamFilter[] = [];

  onConfigure(configuration_size: u32): bool {
    this.setTickPeriod(100);
    return super.onConfigure(configuration_size);
  }

  onTick(): void {
    for (let i = 0; i < this.pausedRequests.length; i++) {
      const stream = this.pausedRequests[i];
      stream.setEffectiveContext();
      report("continue_request", (<i32>stream.continueRequest()).toString());
    }
    for (let i = 0; i < this.pausedResponses.length; i++) {
      const stream = this.pausedResponses[i];
      report("effective", (<i32>stream.setEffectiveContext()).toString());
      report("continueResponse", (<i32>stream.continueResponse()).toString());
    }
    for (let i = 0; i < this.pausedResponsesToo.length; i++) {
      const stream = this.pausedResponsesToo[i];
      stream.setEffectiveContext();
      report("continue_response", (<i32>stream.continueResponse()).toString());
    }
    this.pausedResponsesToo = [];
    this.pausedRequests = [];
    this.pausedResponses = [];
  }

  createContext(contextId: u32): Context {
    return new StreamFilter(contextId, this);
  }
}

class StreamFilter extends Context {
  testCase: string = "";

  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const c = orEmpty(requestHeaders.get("x-case"));
    this.testCase = c;
    const root = <StreamRoot>this.rootContext;
    if (c == "local") {
      const r = this.sendLocalResponse(
        429,
        "too many\trequests here",
        String.UTF8.encode("slow down"),
        makeHeaders(["Retry-After", "10", "x-limit", "5"]),
      );
      report("local", (<i32>r).toString());
      return FilterHeadersStatus.Continue; // the host makes it Stop anyway
    }
    if (c == "local-grpc") {
      const r = this.sendLocalResponse(
        200,
        "denied",
        new ArrayBuffer(0),
        makeHeaders(["content-type", "application/grpc"]),
        GrpcStatus.PermissionDenied,
      );
      report("local", (<i32>r).toString());
    } else if (c == "pause") {
      root.pausedRequests.push(this);
      return FilterHeadersStatus.StopIteration;
    } else if (c == "close") {
      report("close", (<i32>this.closeRequest()).toString());
    }
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    report("request.body", body_buffer_length.toString());
    return FilterDataStatus.Continue;
  }

  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    report("response.status", orEmpty(responseHeaders.get(":status")));
    if (this.testCase == "pause") {
      (<StreamRoot>this.rootContext).pausedResponses.push(this);
      return FilterHeadersStatus.StopIteration;
    }
    if (this.testCase == "pause-free") {
      (<StreamRoot>this.rootContext).pausedResponsesToo.push(this);
      return FilterHeadersStatus.StopIteration;
    }
    if (this.testCase == "close-response") {
      report("close.response", (<i32>this.closeResponse()).toString());
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new StreamRoot(contextId), "stream");
