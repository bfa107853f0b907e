// A filter with one bug per fuzz check, chosen by the plugin configuration, for tests/fuzz:
//   stuck   the request headers are stopped and never continued
//   error   every request with a body logs at error level
//   header  every response gets a header value with a line feed in it
//   status  every request is answered with a local reply of status 99
//   leak    every stream keeps 4 KiB forever
//   (other) a well-behaved pass-through filter
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterDataStatus,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  log,
  makeHeaders,
  registerRootContext,
  responseHeaders,
} from "proxy-wasm-as";

const kept = new Array<ArrayBuffer>();

class ChecksRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new Checks(contextId, this);
  }
}

class Checks extends Context {
  get bug(): string {
    return this.rootContext.getConfiguration();
  }

  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const bug = this.bug;
    if (bug == "stuck") return FilterHeadersStatus.StopIteration;
    if (bug == "leak") kept.push(new ArrayBuffer(4096));
    if (bug == "status") {
      this.sendLocalResponse(99, "planted", new ArrayBuffer(0), makeHeaders([]));
      return FilterHeadersStatus.StopIteration;
    }
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    if (this.bug == "error" && body_buffer_length > 0) log(LogLevel.Error, "planted: a body");
    return FilterDataStatus.Continue;
  }

  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    if (this.bug == "header") responseHeaders.add("x-planted", "line\nfeed");
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new ChecksRoot(contextId), "fuzz_checks");
