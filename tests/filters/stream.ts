// Test filter for stream control: local replies (with headers, details, gRPC status), pausing
// and resuming from the root's onTick (set_effective_context + continue_request for requests,
// setEffectiveContext + continueResponse for responses), closing a stream, argument errors. Results logged as key=value.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterDataStatus,
  FilterHeadersStatus,
  GrpcStatus,
  RootContext,
  StreamType,
  close_stream,
  continue_request,
  continue_response,
  continue_stream,
  logInfo,
  makeHeaders,
  registerRootContext,
  send_local_response,
  set_effective_context,
  stream_context,
} from "proxy-wasm-as";

function report(key: string, value: string): void {
  logInfo(key + "=" + value);
}

class StreamRoot extends RootContext {
  pausedRequests: u32[] = [];
  pausedResponses: StreamFilter[] = [];
  pausedResponseIds: u32[] = [];

  onConfigure(configuration_size: u32): bool {
    this.setTickPeriod(100);
    return super.onConfigure(configuration_size);
  }

  onTick(): void {
    for (let i = 0; i < this.pausedRequests.length; i++) {
      set_effective_context(this.pausedRequests[i]);
      report("continue_request", (<i32>continue_request()).toString());
    }
    for (let i = 0; i < this.pausedResponses.length; i++) {
      const stream = this.pausedResponses[i];
      report("effective", (<i32>stream.setEffectiveContext()).toString());
      report("continueResponse", (<i32>stream.continueResponse()).toString());
    }
    for (let i = 0; i < this.pausedResponseIds.length; i++) {
      set_effective_context(this.pausedResponseIds[i]);
      report("continue_response", (<i32>continue_response()).toString());
    }
    this.pausedResponseIds = [];
    this.pausedRequests = [];
    this.pausedResponses = [];
  }

  createContext(context_id: u32): Context {
    return new StreamFilter(context_id, this);
  }
}

class StreamFilter extends Context {
  testCase: string = "";

  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const c = stream_context.headers.request.get("x-case");
    this.testCase = c;
    const root = <StreamRoot>this.root_context;
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
      const r = send_local_response(
        200,
        "denied",
        new ArrayBuffer(0),
        makeHeaders(["content-type", "application/grpc"]),
        GrpcStatus.PermissionDenied,
      );
      report("local", (<i32>r).toString());
    } else if (c == "pause") {
      root.pausedRequests.push(this.context_id);
      return FilterHeadersStatus.StopIteration;
    } else if (c == "close") {
      report("close", (<i32>this.closeRequest()).toString());
    } else if (c == "errors") {
      report("continue.bad", (<i32>continue_stream(<StreamType>9)).toString());
      report("continue.upstream", (<i32>continue_stream(StreamType.Upstream)).toString());
      report("close.bad", (<i32>close_stream(<StreamType>9)).toString());
    }
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    report("request.body", body_buffer_length.toString());
    return FilterDataStatus.Continue;
  }

  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    report("response.status", stream_context.headers.response.get(":status"));
    if (this.testCase == "pause") {
      (<StreamRoot>this.root_context).pausedResponses.push(this);
      return FilterHeadersStatus.StopIteration;
    }
    if (this.testCase == "pause-free") {
      (<StreamRoot>this.root_context).pausedResponseIds.push(this.context_id);
      return FilterHeadersStatus.StopIteration;
    }
    if (this.testCase == "close-response") {
      report("close.response", (<i32>close_stream(StreamType.HttpResponse)).toString());
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((context_id: u32) => new StreamRoot(context_id), "stream");
