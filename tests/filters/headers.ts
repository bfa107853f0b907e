// Test filter for the header map wrappers: what `x-case` asks for is done on the request (and
// response) maps, and every result is logged as a `key=value` line for tests/sdk/headers.test.ts.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterDataStatus,
  FilterHeadersStatus,
  FilterTrailersStatus,
  HeaderMap,
  HeaderMapType,
  HeaderPair,
  Headers,
  LogLevel,
  RootContext,
  findHeader,
  log,
  makeHeaders,
  registerRootContext,
  requestHeaders,
  requestTrailers,
  responseHeaders,
  responseTrailers,
} from "proxy-wasm-as";

function report(key: string, value: string): void {
  log(LogLevel.Info, key + "=" + value);
}

function orNull(value: string | null): string {
  return value !== null ? "[" + value + "]" : "null";
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

class HeadersRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new HeadersFilter(contextId, this);
  }
}

class HeadersFilter extends Context {
  testCase: string = "";

  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const h = requestHeaders;
    this.testCase = orEmpty(h.get("x-case"));
    report("request.num_headers", num_headers.toString());
    report("request.end_of_stream", end_of_stream ? "true" : "false");
    if (this.testCase == "read") {
      report("get", orNull(h.get("X-A")));
      report("get.a", orNull(h.get("x-a")));
      report("get.missing", orNull(h.get("x-missing")));
      report("get.empty", orNull(h.get("x-empty")));
      report("has.a", h.has("x-a") ? "true" : "false");
      report("has.empty", h.has("x-empty") ? "true" : "false");
      report("has.missing", h.has("x-missing") ? "true" : "false");
      const all = h.getAll()!;
      report("get_headers.length", all.length.toString());
      report("get_headers", show(all));
      report("findHeader.a", orNull(findHeader(all, "x-a")));
      report("findHeader.missing", orNull(findHeader(all, "x-missing")));
      report("byteSize", h.byteSize().value.toString());
      report("pair.keyText", all[0].keyText + "/" + all[0].valueText);
      report("pair.of", HeaderPair.of("K", "v").toString());
      // A HeaderMap made by hand reaches the same host map as requestHeaders.
      report("own.map", orNull(new HeaderMap(HeaderMapType.HttpRequestHeaders).get("x-a")));
    } else if (this.testCase == "utf8") {
      const value = orEmpty(h.get("x-text"));
      report("utf8.get", value);
      report("utf8.length", value.length.toString());
      report("utf8.add", (<i32>h.add("x-copy", value + " ✓")).toString());
      report("many.count", h.getAll()!.length.toString());
      report("many.last", orEmpty(h.get("x-h199")));
    } else if (this.testCase == "mutate") {
      report("add", (<i32>h.add("x-added", "1")).toString());
      report("add.repeat", (<i32>h.add("x-a", "second")).toString());
      report("replace", (<i32>h.replace("x-rep", "new")).toString());
      report("replace.absent", (<i32>h.replace("x-created", "by-replace")).toString());
      report("remove", (<i32>h.remove("x-gone")).toString());
      report("remove.absent", (<i32>h.remove("x-never")).toString());
      report("after", show(h.getAll()));
    } else if (this.testCase == "set") {
      const result = h.setAll(makeHeaders([":path", "/rewritten", "X-Only", "1", "x-only", "2"]));
      report("set_headers", (<i32>result).toString());
      report("after", show(h.getAll()));
    } else if (this.testCase == "many-reads") {
      // Many reads in one callback; changes made through the SDK must show at once.
      report("reads.first", orEmpty(h.get("x-a")) + "," + orEmpty(h.get("x-b")));
      report("reads.a", orEmpty(h.get("x-a")));
      report("reads.upper", orEmpty(h.get("X-B")));
      report("reads.repeated", orEmpty(h.get("x-dup")));
      report("reads.missing", orNull(h.get("x-missing")));
      h.replace("x-a", "changed");
      report("reads.after-replace", orEmpty(h.get("x-a")));
      h.add("x-new", "added");
      report("reads.after-add", orEmpty(h.get("x-new")));
      h.remove("x-b");
      report("reads.after-remove", orNull(h.get("x-b")));
      h.setAll(makeHeaders(["x-only", "1"]));
      report("reads.after-set", orNull(h.get("x-a")) + "," + orEmpty(h.get("x-only")));
    } else if (this.testCase == "reuse") {
      // Values up to 4 KiB pass through one reused block: each read must give its own value,
      // whole, and nothing of an earlier one.
      const long = orEmpty(h.get("x-long"));
      const short = orEmpty(h.get("x-short"));
      const text = orEmpty(h.get("x-text"));
      const big = orEmpty(h.get("x-big"));
      const after = orEmpty(h.get("x-short"));
      report("reuse.long", long);
      report("reuse.short", short + "/" + short.length.toString());
      report("reuse.text", text + "/" + text.length.toString());
      report("reuse.big", big.length.toString() + "/" + (big == "b".repeat(20000) ? "ok" : "bad"));
      report("reuse.after", after);
      report(
        "reuse.has",
        (h.has("x-long") ? "true" : "false") + "," + (h.has("x-no") ? "true" : "false"),
      );
      // After a miss (the host asked for no block) other results are objects of their own again.
      orEmpty(h.get("x-no"));
      report("reuse.all", show(h.getAll()));
      report("reuse.again", orEmpty(h.get("x-long")) + "," + orEmpty(h.get("x-short")));
    } else if (this.testCase == "response-map-early") {
      // The response headers do not exist yet.
      const r = responseHeaders;
      report("early.add", (<i32>r.add("x-early", "1")).toString());
      report("early.get", orNull(r.get(":status")));
    }
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    if (this.testCase == "many-reads") {
      // A new callback: the request headers are gone by now.
      const h = requestHeaders;
      orEmpty(h.get("x-only"));
      orEmpty(h.get("x-only"));
      report("reads.next-callback", orNull(h.get("x-only")));
    }
    if (this.testCase == "outside") {
      // The request headers went on when onRequestHeaders returned Continue.
      const h = requestHeaders;
      report("outside.get", orNull(h.get(":path")));
      report("outside.has", h.has(":path") ? "true" : "false");
      report("outside.add", (<i32>h.add("x-late", "1")).toString());
      report("outside.replace", (<i32>h.replace(":path", "/late")).toString());
      report("outside.remove", (<i32>h.remove(":path")).toString());
      report("outside.get_headers", show(h.getAll()));
      report("outside.set_headers", (<i32>h.setAll(makeHeaders(["a", "b"]))).toString());
      const size = h.byteSize();
      report(
        "outside.byteSize",
        size.ok ? size.value.toString() : "not ok " + size.status.toString(),
      );
      if (end_of_stream) {
        // Envoy lets the last body callback add request trailers.
        const t = requestTrailers;
        report("trailers.add", (<i32>t.add("x-added-trailer", "yes")).toString());
      }
    }
    return FilterDataStatus.Continue;
  }

  onRequestTrailers(num_trailers: u32): FilterTrailersStatus {
    const t = requestTrailers;
    report("trailers.num", num_trailers.toString());
    report("trailers.get", orNull(t.get("x-t")));
    report("trailers.replace", (<i32>t.replace("x-t", "changed")).toString());
    report("trailers.add", (<i32>t.add("x-t2", "added")).toString());
    report("trailers.byteSize", t.byteSize().value.toString());
    return FilterTrailersStatus.Continue;
  }

  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const r = responseHeaders;
    report("response.status", orNull(r.get(":status")));
    report("response.add", (<i32>r.add("x-response", "added")).toString());
    // The request headers are gone by now.
    report("response.request.get", orNull(requestHeaders.get(":path")));
    return FilterHeadersStatus.Continue;
  }

  onResponseTrailers(num_trailers: u32): FilterTrailersStatus {
    const t = responseTrailers;
    report("response.trailers.get", orNull(t.get("grpc-status")));
    report("response.trailers.remove", (<i32>t.remove("x-secret")).toString());
    report("response.trailers", show(t.getAll()));
    return FilterTrailersStatus.Continue;
  }

  onLog(): void {
    // Access-log time: request and response headers are readable again, but read-only.
    const req = requestHeaders;
    const res = responseHeaders;
    report("log.path", orNull(req.get(":path")));
    report("log.response", orNull(res.get("x-response")));
    report("log.get_headers.length", req.getAll()!.length.toString());
    report("log.add", (<i32>req.add("x-log", "1")).toString());
    report("log.request.trailers", orNull(requestTrailers.get("x-t")));
  }
}

registerRootContext((contextId: u32) => new HeadersRoot(contextId), "headers");
