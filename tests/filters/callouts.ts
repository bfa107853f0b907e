// Test filter for HTTP callouts: a stream asks an "auth" cluster and waits; the reply (routed
// back to that stream by the SDK) adds a header and resumes, or answers locally. Also a root's
// own callout from onTick, argument errors, failed calls (getCallStatus) and streams deleted
// before their reply.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  Headers,
  LogLevel,
  RootContext,
  getCallStatus,
  httpCallResponseBody,
  httpCallResponseHeaders,
  httpCallResponseTrailers,
  log,
  makeHeaders,
  registerRootContext,
  requestHeaders,
} from "proxy-wasm-as";

function report(key: string, value: string): void {
  log(LogLevel.Info, key + "=" + value);
}

function orEmpty(value: string | null): string {
  return value !== null ? value : "";
}

function show(headers: Headers | null): string {
  if (headers === null) return "null";
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
    report("root.dispatch", (<i32>r.status).toString());
    this.setTickPeriod(0);
  }

  onHttpCallResponse(token: u32, num_headers: u32, body_size: usize, num_trailers: u32): void {
    report("root.reply.token", token.toString());
    report("root.reply.body", httpCallResponseBody.getString()!);
  }

  createContext(contextId: u32): Context {
    return new CalloutFilter(contextId, this);
  }
}

class CalloutFilter extends Context {
  tag: string = "";

  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const h = requestHeaders;
    const testCase = h.get("x-case");
    this.tag = orEmpty(h.get("x-tag"));
    const tag = this.tag;
    if (testCase == "call") {
      const r = this.dispatchHttpCall(
        "auth",
        authHeaders(tag),
        String.UTF8.encode("ping:" + tag),
        makeHeaders(["x-call-trailer", "t"]),
        h.has("x-timeout") ? <u32>I32.parseInt(orEmpty(h.get("x-timeout"))) : 5000,
      );
      report(tag + ".dispatch", (<i32>r.status).toString());
      report(tag + ".token", r.value.toString());
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
      report("unknown_cluster", (<i32>unknownCluster.status).toString());
      report("unknown_cluster.token", unknownCluster.value.toString());
      const noAuthority = this.dispatchHttpCall(
        "auth",
        makeHeaders([":method", "GET", ":path", "/"]),
        null,
        [],
        0,
      );
      report("no_authority", (<i32>noAuthority.status).toString());
      const hugeTimeout = this.dispatchHttpCall("auth", authHeaders(tag), null, [], 0x80000000);
      report("huge_timeout", (<i32>hugeTimeout.status).toString());
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
    const status = getCallStatus();
    report(
      tag + ".get_status",
      status !== null ? status.code.toString() + " " + status.message : "null",
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
    const code = httpCallResponseHeaders.get(":status");
    const body = httpCallResponseBody.getString();
    report(tag + ".reply.headers", show(httpCallResponseHeaders.getAll()));
    report(tag + ".reply.trailers", show(httpCallResponseTrailers.getAll()));
    report(tag + ".reply.body", body !== null ? body : "null");
    if (code == "200") {
      requestHeaders.add("x-auth", body !== null ? body : "");
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

registerRootContext((contextId: u32) => new CalloutRoot(contextId), "callouts");
