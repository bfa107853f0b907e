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
  RootContext,
  findHeader,
  logInfo,
  makeHeaders,
  parsePairs,
  registerRootContext,
  serializeHeaders,
  stream_context,
} from "proxy-wasm-as";

function report(key: string, value: string): void {
  logInfo(key + "=" + value);
}

function orNull(value: string | null): string {
  return value !== null ? "[" + value + "]" : "null";
}

function show(headers: Headers): string {
  const parts = new Array<string>();
  for (let i = 0; i < headers.length; i++) parts.push(headers[i].toString());
  return parts.join("|");
}

class HeadersRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new HeadersFilter(context_id, this);
  }
}

class HeadersFilter extends Context {
  testCase: string = "";

  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const h = stream_context.headers.request;
    this.testCase = h.get("x-case");
    report("request.num_headers", num_headers.toString());
    report("request.end_of_stream", end_of_stream ? "true" : "false");
    if (this.testCase == "read") {
      report("get", orNull(h.get("X-A")));
      report("get.missing", "[" + h.get("x-missing") + "]");
      report("getOrNull.a", orNull(h.getOrNull("x-a")));
      report("getOrNull.missing", orNull(h.getOrNull("x-missing")));
      report("getOrNull.empty", orNull(h.getOrNull("x-empty")));
      report("has.a", h.has("x-a") ? "true" : "false");
      report("has.empty", h.has("x-empty") ? "true" : "false");
      report("has.missing", h.has("x-missing") ? "true" : "false");
      const all = h.get_headers();
      report("get_headers.length", all.length.toString());
      report("get_headers", show(all));
      report("findHeader.a", orNull(findHeader(all, "x-a")));
      report("findHeader.missing", orNull(findHeader(all, "x-missing")));
      report("byteSize", h.byteSize().toString());
      const again = parsePairs(serializeHeaders(all));
      report("roundtrip", show(again) == show(all) ? "same" : "different: " + show(again));
      report("pair.keyText", all[0].keyText + "/" + all[0].valueText);
      report("pair.of", HeaderPair.of("K", "v").toString());
      // A HeaderMap made by hand reaches the same host map as stream_context.headers.request.
      report("own.map", orNull(new HeaderMap(HeaderMapType.HttpRequestHeaders).getOrNull("x-a")));
    } else if (this.testCase == "utf8") {
      const value = h.get("x-text");
      report("utf8.get", value);
      report("utf8.length", value.length.toString());
      report("utf8.add", (<i32>h.add("x-copy", value + " ✓")).toString());
      report("many.count", h.get_headers().length.toString());
      report("many.last", h.get("x-h199"));
    } else if (this.testCase == "mutate") {
      report("add", (<i32>h.add("x-added", "1")).toString());
      report("add.repeat", (<i32>h.add("x-a", "second")).toString());
      report("replace", (<i32>h.replace("x-rep", "new")).toString());
      report("replace.absent", (<i32>h.replace("x-created", "by-replace")).toString());
      report("remove", (<i32>h.remove("x-gone")).toString());
      report("remove.absent", (<i32>h.remove("x-never")).toString());
      report("after", show(h.get_headers()));
    } else if (this.testCase == "set") {
      const result = h.set_headers(
        makeHeaders([":path", "/rewritten", "X-Only", "1", "x-only", "2"]),
      );
      report("set_headers", (<i32>result).toString());
      report("after", show(h.get_headers()));
    } else if (this.testCase == "many-reads") {
      // Many reads in one callback; changes made through the SDK must show at once.
      report("reads.first", h.get("x-a") + "," + h.get("x-b"));
      report("reads.a", h.get("x-a"));
      report("reads.upper", h.get("X-B"));
      report("reads.repeated", h.get("x-dup"));
      report("reads.missing", orNull(h.getOrNull("x-missing")));
      h.replace("x-a", "changed");
      report("reads.after-replace", h.get("x-a"));
      h.add("x-new", "added");
      report("reads.after-add", h.get("x-new"));
      h.remove("x-b");
      report("reads.after-remove", orNull(h.getOrNull("x-b")));
      h.set_headers(makeHeaders(["x-only", "1"]));
      report("reads.after-set", orNull(h.getOrNull("x-a")) + "," + h.get("x-only"));
    } else if (this.testCase == "reuse") {
      // Values up to 4 KiB pass through one reused block: each read must give its own value,
      // whole, and nothing of an earlier one.
      const long = h.get("x-long");
      const short = h.get("x-short");
      const text = h.get("x-text");
      const big = h.get("x-big");
      const after = h.get("x-short");
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
      h.getOrNull("x-no");
      report("reuse.all", show(h.get_headers()));
      report("reuse.again", h.get("x-long") + "," + h.get("x-short"));
    } else if (this.testCase == "response-map-early") {
      // The response headers do not exist yet.
      const r = stream_context.headers.response;
      report("early.add", (<i32>r.add("x-early", "1")).toString());
      report("early.getOrNull", orNull(r.getOrNull(":status")));
    }
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    if (this.testCase == "many-reads") {
      // A new callback: the request headers are gone by now.
      const h = stream_context.headers.request;
      h.get("x-only");
      h.get("x-only");
      report("reads.next-callback", orNull(h.getOrNull("x-only")));
    }
    if (this.testCase == "outside") {
      // The request headers went on when onRequestHeaders returned Continue.
      const h = stream_context.headers.request;
      report("outside.getOrNull", orNull(h.getOrNull(":path")));
      report("outside.get", "[" + h.get(":path") + "]");
      report("outside.has", h.has(":path") ? "true" : "false");
      report("outside.add", (<i32>h.add("x-late", "1")).toString());
      report("outside.replace", (<i32>h.replace(":path", "/late")).toString());
      report("outside.remove", (<i32>h.remove(":path")).toString());
      report("outside.get_headers.length", h.get_headers().length.toString());
      report("outside.set_headers", (<i32>h.set_headers(makeHeaders(["a", "b"]))).toString());
      report("outside.byteSize", h.byteSize().toString());
      if (end_of_stream) {
        // Envoy lets the last body callback add request trailers.
        const t = stream_context.trailers.request;
        report("trailers.add", (<i32>t.add("x-added-trailer", "yes")).toString());
      }
    }
    return FilterDataStatus.Continue;
  }

  onRequestTrailers(num_trailers: u32): FilterTrailersStatus {
    const t = stream_context.trailers.request;
    report("trailers.num", num_trailers.toString());
    report("trailers.get", orNull(t.getOrNull("x-t")));
    report("trailers.replace", (<i32>t.replace("x-t", "changed")).toString());
    report("trailers.add", (<i32>t.add("x-t2", "added")).toString());
    report("trailers.byteSize", t.byteSize().toString());
    return FilterTrailersStatus.Continue;
  }

  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const r = stream_context.headers.response;
    report("response.status", orNull(r.getOrNull(":status")));
    report("response.add", (<i32>r.add("x-response", "added")).toString());
    // The request headers are gone by now.
    report("response.request.getOrNull", orNull(stream_context.headers.request.getOrNull(":path")));
    return FilterHeadersStatus.Continue;
  }

  onResponseTrailers(num_trailers: u32): FilterTrailersStatus {
    const t = stream_context.trailers.response;
    report("response.trailers.get", orNull(t.getOrNull("grpc-status")));
    report("response.trailers.remove", (<i32>t.remove("x-secret")).toString());
    report("response.trailers", show(t.get_headers()));
    return FilterTrailersStatus.Continue;
  }

  onLog(): void {
    // Access-log time: request and response headers are readable again, but read-only.
    const req = stream_context.headers.request;
    const res = stream_context.headers.response;
    report("log.path", orNull(req.getOrNull(":path")));
    report("log.response", orNull(res.getOrNull("x-response")));
    report("log.get_headers.length", req.get_headers().length.toString());
    report("log.add", (<i32>req.add("x-log", "1")).toString());
    report("log.request.trailers", orNull(stream_context.trailers.request.getOrNull("x-t")));
  }
}

registerRootContext((context_id: u32) => new HeadersRoot(context_id), "headers");
