// Test filter for gRPC callouts: a unary call that resumes or rejects the request, a stream fed
// with the request body, cancel / close, and argument errors. Results logged as key=value.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterDataStatus,
  FilterHeadersStatus,
  GrpcStatus,
  LogLevel,
  RootContext,
  getCallStatus,
  grpcCancel,
  grpcClose,
  grpcInitialMetadata,
  grpcMessage,
  grpcSend,
  grpcTrailingMetadata,
  log,
  makeHeaders,
  registerRootContext,
  requestHeaders,
} from "proxy-wasm-as";

function report(key: string, value: string): void {
  log(LogLevel.Info, key + "=" + value);
}

function orNull(value: string | null): string {
  return value !== null ? "[" + value + "]" : "null";
}

function statusText(): string {
  const s = getCallStatus();
  return s !== null ? s.code.toString() + " " + s.message : "null";
}

function orEmpty(value: string | null): string {
  return value !== null ? value : "";
}

class GrpcRoot extends RootContext {
  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    if (this.getConfiguration() == "root") this.setTickPeriod(10);
    return true;
  }

  onTick(): void {
    // The root's own call and stream (the root is the origin of the replies).
    const md = makeHeaders(["x-md", "root"]);
    const call = this.dispatchGrpcCall("grpc", "pkg.Stats", "Report", md, new ArrayBuffer(2), 0);
    report("root.call", (<i32>call.status).toString());
    report(
      "root.stream",
      (<i32>this.openGrpcStream("grpc", "pkg.Stats", "Watch", md).status).toString(),
    );
    this.setTickPeriod(0);
  }

  onGrpcReceive(token: u32, message_size: usize): void {
    report("root.receive", token.toString() + ":" + orNull(grpcMessage.getString()));
  }

  onGrpcClose(token: u32, status_code: u32): void {
    report("root.close", token.toString() + ":" + status_code.toString());
  }

  createContext(contextId: u32): Context {
    return new GrpcFilter(contextId, this);
  }
}

class GrpcFilter extends Context {
  tag: string = "";
  testCase: string = "";
  token: u32 = 0;

  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const h = requestHeaders;
    this.testCase = orEmpty(h.get("x-case"));
    this.tag = orEmpty(h.get("x-tag"));
    const tag = this.tag;
    const md = makeHeaders(["x-md", tag]);
    if (this.testCase == "unary") {
      const r = this.dispatchGrpcCall(
        "grpc",
        "pkg.Auth",
        "Check",
        md,
        String.UTF8.encode("req:" + tag),
        2000,
      );
      this.token = r.value;
      report(tag + ".dispatch", (<i32>r.status).toString());
      report(tag + ".token", this.token.toString());
      return FilterHeadersStatus.StopIteration;
    }
    if (this.testCase == "stream") {
      const r = this.openGrpcStream("grpc", "pkg.Chat", "Talk", md);
      this.token = r.value;
      report(tag + ".open", (<i32>r.status).toString());
      report(tag + ".token", this.token.toString());
    } else if (this.testCase == "cancel") {
      const token = this.openGrpcStream("grpc", "pkg.Chat", "Talk", md).value;
      report("cancel", (<i32>grpcCancel(token)).toString());
      report("cancel.again", (<i32>grpcCancel(token)).toString());
      report("send.cancelled", (<i32>grpcSend(token, String.UTF8.encode("x"))).toString());
      const unary = this.dispatchGrpcCall(
        "grpc",
        "pkg.Auth",
        "Check",
        md,
        new ArrayBuffer(0),
        0,
      ).value;
      report("close", (<i32>grpcClose(unary)).toString());
      report("close.again", (<i32>grpcClose(unary)).toString());
    } else if (this.testCase == "half-close") {
      this.token = this.openGrpcStream("grpc", "pkg.Chat", "Listen", md).value;
      report(tag + ".half-close", (<i32>grpcClose(this.token)).toString());
    } else if (this.testCase == "close-unary") {
      // Given up at once: no callback will come for it.
      const unary = this.dispatchGrpcCall("grpc", "pkg.Auth", "Check", md, new ArrayBuffer(0), 0);
      report("close.unary", (<i32>grpcClose(unary.value)).toString());
    } else if (this.testCase == "cancel-unary") {
      const unary = this.dispatchGrpcCall("grpc", "pkg.Auth", "Check", md, new ArrayBuffer(0), 0);
      report("cancel.unary", (<i32>grpcCancel(unary.value)).toString());
    } else if (this.testCase == "errors") {
      const unknown = this.dispatchGrpcCall("nope", "s", "m", md, new ArrayBuffer(0), 0);
      report("unknown_cluster", (<i32>unknown.status).toString());
      const unknownStream = this.openGrpcStream("nope", "s", "m", md);
      report("unknown_cluster.stream", (<i32>unknownStream.status).toString());
      const unary = this.dispatchGrpcCall(
        "grpc",
        "pkg.Auth",
        "Check",
        md,
        new ArrayBuffer(0),
        0,
      ).value;
      report("send.unary", (<i32>grpcSend(unary, String.UTF8.encode("x"))).toString());
      report("send.unknown", (<i32>grpcSend(unary + 1 + 400, String.UTF8.encode("x"))).toString());
      report("cancel.badtoken", (<i32>grpcCancel(unary + 2)).toString());
    }
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    if (this.testCase == "stream") {
      // No gRPC callback is running: its metadata is not readable here.
      report("body.initial_metadata", orNull(grpcInitialMetadata.get("x-init")));
      const body = String.UTF8.encode("msg" + body_buffer_length.toString());
      report(this.tag + ".send", (<i32>grpcSend(this.token, body, end_of_stream)).toString());
    }
    return FilterDataStatus.Continue;
  }

  onGrpcReceiveInitialMetadata(token: u32, num_elements: u32): void {
    report(this.tag + ".initial.token", token.toString());
    report(this.tag + ".initial.count", num_elements.toString());
    report(this.tag + ".initial.x-init", orNull(grpcInitialMetadata.get("x-init")));
  }

  onGrpcReceive(token: u32, message_size: usize): void {
    const tag = this.tag;
    const message = grpcMessage.getString();
    report(tag + ".receive.token", token.toString());
    report(tag + ".receive.size", message_size.toString());
    report(tag + ".receive.message", orNull(message));
    if (this.testCase == "unary") {
      report(tag + ".receive.status", statusText());
      requestHeaders.add("x-grpc", message !== null ? message : "");
      this.continueRequest();
    }
  }

  onGrpcReceiveTrailingMetadata(token: u32, num_elements: u32): void {
    report(this.tag + ".trailing.count", num_elements.toString());
    report(this.tag + ".trailing.x-trail", orNull(grpcTrailingMetadata.get("x-trail")));
  }

  onGrpcClose(token: u32, status_code: u32): void {
    const tag = this.tag;
    report(tag + ".close.token", token.toString());
    report(tag + ".close.code", status_code.toString());
    report(tag + ".close.status", statusText());
    if (this.testCase == "unary") {
      const s = getCallStatus();
      this.sendLocalResponse(
        503,
        "grpc failed",
        String.UTF8.encode("grpc " + status_code.toString() + ": " + (s !== null ? s.message : "")),
        [],
        <GrpcStatus>status_code,
      );
    }
  }
}

registerRootContext((contextId: u32) => new GrpcRoot(contextId), "grpc");
