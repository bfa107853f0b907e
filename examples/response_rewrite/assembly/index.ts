// response_rewrite: inject a snippet (a script tag, a banner) into HTML pages on their way out.
//
// The snippet goes in once per page, right before the last "</body>" (the marker), or at the end
// when the page has none. Because it always goes in exactly once, the new Content-Length is
// known before the body arrives: the upstream's length plus the snippet's. The headers can then
// go out at once with the right length while the body is buffered for the rewrite.
//
// Only uncompressed text/html responses are touched; everything else streams through.
//
// Configuration (JSON):
//   {"snippet": "<script src=\"/rum.js\"></script>", "marker": "</body>"}
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterDataStatus,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  log,
  parseJsonObject,
  registerRootContext,
  responseBody,
  responseHeaders,
} from "proxy-wasm-as";

class ResponseRewriteRoot extends RootContext {
  snippet: ArrayBuffer = new ArrayBuffer(0);
  marker: ArrayBuffer = new ArrayBuffer(0);

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
    const config = parseJsonObject(this.getConfiguration(), "response_rewrite configuration");
    if (config === null) return false;
    const snippet = config.getString("snippet");
    if (snippet === null || snippet.valueOf() == "") {
      log(LogLevel.Error, 'response_rewrite configuration: "snippet" must be a non-empty string');
      return false;
    }
    let marker = "</body>";
    if (config.has("marker")) {
      const value = config.getString("marker");
      if (value === null || value.valueOf() == "") {
        log(LogLevel.Error, 'response_rewrite configuration: "marker" must be a non-empty string');
        return false;
      }
      marker = value.valueOf();
    }
    // The body is searched and spliced as bytes, so a page in any charset stays intact.
    this.snippet = String.UTF8.encode(snippet.valueOf());
    this.marker = String.UTF8.encode(marker);
    return true;
  }

  createContext(contextId: u32): Context {
    return new ResponseRewrite(contextId, this);
  }
}

/** The offset of the last occurrence of `needle` in `haystack`, or -1. */
function lastIndexOf(haystack: Uint8Array, needle: Uint8Array): i32 {
  for (let start = haystack.length - needle.length; start >= 0; start--) {
    let i = 0;
    while (i < needle.length && haystack[start + i] == needle[i]) i++;
    if (i == needle.length) return start;
  }
  return -1;
}

class ResponseRewrite extends Context {
  rewrite: bool = false;

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const headers = responseHeaders;
    const type = headers.get("content-type");
    // No body (HEAD, 204, 304), not HTML, or compressed: leave it alone.
    if (
      endOfStream ||
      type === null ||
      !type.toLowerCase().startsWith("text/html") ||
      headers.has("content-encoding")
    ) {
      return FilterHeadersStatus.Continue;
    }
    this.rewrite = true;
    const length = headers.get("content-length");
    if (length !== null) {
      const snippetLength = (this.rootContext as ResponseRewriteRoot).snippet.byteLength;
      headers.replace("content-length", (I64.parseInt(length) + snippetLength).toString());
    }
    return FilterHeadersStatus.Continue;
  }

  onResponseBody(bodyBufferLength: usize, endOfStream: bool): FilterDataStatus {
    if (!this.rewrite) return FilterDataStatus.Continue;
    // Hold every chunk until the whole page is here: the marker may span two chunks.
    if (!endOfStream) return FilterDataStatus.StopIterationAndBuffer;

    const root = this.rootContext as ResponseRewriteRoot;
    const body = responseBody.get();
    const page = Uint8Array.wrap(body !== null ? body : new ArrayBuffer(0));
    const at = lastIndexOf(page, Uint8Array.wrap(root.marker));
    if (at < 0) {
      responseBody.append(root.snippet);
    } else {
      const snippet = Uint8Array.wrap(root.snippet);
      const out = new Uint8Array(page.length + snippet.length);
      out.set(page.subarray(0, at));
      out.set(snippet, at);
      out.set(page.subarray(at), at + snippet.length);
      responseBody.replace(out.buffer);
    }
    return FilterDataStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new ResponseRewriteRoot(contextId), "response_rewrite");
