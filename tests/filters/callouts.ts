// Test filter for HTTP callouts: a stream asks an "auth" cluster and waits; the reply (routed
// back to that stream by the SDK) adds a header and resumes, or answers locally. Also the
// @solo-io/proxy-runtime style RootContext.httpCall with a callback, a root's own callout from
// onTick, argument errors, failed calls (get_status) and streams deleted before their reply.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  Headers,
  RootContext,
  get_status,
  http_call_response_body,
  http_call_response_headers,
  http_call_response_trailers,
  lastCallToken,
  logInfo,
  makeHeaders,
  registerRootContext,
  stream_context,
} from "proxy-wasm-as";

function report(key: string, value: string): void {
  logInfo(key + "=" + value);
}

function show(headers: Headers): string {
  const parts = new Array<string>();
  for (let i = 0; i < headers.length; i++) parts.push(headers[i].toString());
  return parts.join("|");
}

function authHeaders(tag: string): Headers {
  return makeHeaders([
    ":method",
    "POST",
    ":path",
    "/check",
    ":authority",
    "auth.local",
    "x-tag",
    tag,
  ]);
}

class CalloutRoot extends RootContext {
  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    if (this.getConfiguration() == "tick") this.setTickPeriod(1000);
    return true;
  }

  onTick(): void {
    // The root context makes a call of its own; the reply comes back here.
    const r = this.dispatchHttpCall(
      "stats",
      makeHeaders([":method", "GET", ":path", "/report", ":authority", "stats.local"]),
      null,
      [],
      0,
    );
    report("root.dispatch", (<i32>r).toString());
    this.setTickPeriod(0);
  }

  onHttpCallResponse(token: u32, num_headers: u32, body_size: usize, num_trailers: u32): void {
    report("root.reply.token", token.toString());
    report("root.reply.body", http_call_response_body.getString()!);
  }

  createContext(context_id: u32): Context {
    return new CalloutFilter(context_id, this);
  }
}

/** The reply to a `RootContext.httpCall` made in the old style: a plain function, no closure. */
function compatReply(origin: Context, num_headers: u32, body_size: usize, num_trailers: u32): void {
  const filter = <CalloutFilter>origin;
  report(filter.tag + ".compat.num_headers", num_headers.toString());
  stream_context.headers.request.add("x-compat", http_call_response_body.getString()!);
  filter.continueRequest();
}

class CalloutFilter extends Context {
  tag: string = "";

  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const h = stream_context.headers.request;
    const testCase = h.get("x-case");
    this.tag = h.get("x-tag");
    const tag = this.tag;
    if (testCase == "call") {
      const r = this.dispatchHttpCall(
        "auth",
        authHeaders(tag),
        String.UTF8.encode("ping:" + tag),
        makeHeaders(["x-call-trailer", "t"]),
        h.has("x-timeout") ? <u32>I32.parseInt(h.get("x-timeout")) : 5000,
      );
      report(tag + ".dispatch", (<i32>r).toString());
      report(tag + ".token", lastCallToken().toString());
      return FilterHeadersStatus.StopIteration;
    }
    if (testCase == "compat") {
      const r = this.root_context.httpCall(
        "auth",
        authHeaders(tag),
        new ArrayBuffer(0),
        [],
        1000,
        this,
        compatReply,
      );
      report(tag + ".dispatch", (<i32>r).toString());
      return FilterHeadersStatus.StopIteration;
    }
    if (testCase == "errors") {
      const unknownCluster = this.dispatchHttpCall(
        "no-such-cluster",
        authHeaders(tag),
        null,
        [],
        0,
      );
      report("unknown_cluster", (<i32>unknownCluster).toString());
      const noAuthority = this.dispatchHttpCall(
        "auth",
        makeHeaders([":method", "GET", ":path", "/"]),
        null,
        [],
        0,
      );
      report("no_authority", (<i32>noAuthority).toString());
      const hugeTimeout = this.dispatchHttpCall("auth", authHeaders(tag), null, [], 0x80000000);
      report("huge_timeout", (<i32>hugeTimeout).toString());
      report("token.unchanged", lastCallToken().toString());
      return FilterHeadersStatus.Continue;
    }
    return FilterHeadersStatus.Continue;
  }

  onHttpCallResponse(token: u32, num_headers: u32, body_size: usize, num_trailers: u32): void {
    const tag = this.tag;
    report(tag + ".reply.token", token.toString());
    report(
      tag + ".reply.counts",
      num_headers.toString() + "/" + body_size.toString() + "/" + num_trailers.toString(),
    );
    const status = get_status();
    report(
      tag + ".get_status",
      status !== null ? status.status.toString() + " " + status.message : "null",
    );
    if (num_headers == 0) {
      const message = status !== null ? status.message : "?";
      this.sendLocalResponse(
        503,
        "callout failed",
        String.UTF8.encode("callout failed: " + message),
        [],
      );
      return;
    }
    const code = http_call_response_headers.get(":status");
    const body = http_call_response_body.getString();
    report(tag + ".reply.headers", show(http_call_response_headers.get_headers()));
    report(tag + ".reply.trailers", show(http_call_response_trailers.get_headers()));
    report(tag + ".reply.body", body !== null ? body : "null");
    if (code == "200") {
      stream_context.headers.request.add("x-auth", body !== null ? body : "");
      report(tag + ".continue", (<i32>this.continueRequest()).toString());
    } else {
      this.sendLocalResponse(
        403,
        "auth denied",
        String.UTF8.encode("denied: " + (body !== null ? body : "")),
        makeHeaders(["X-Denied-By", "auth"]),
      );
    }
  }

  onDelete(): void {
    report(this.tag + ".deleted", "yes");
  }
}

registerRootContext((context_id: u32) => new CalloutRoot(context_id), "callouts");
