// multiple_dispatches: one request fans out into several HTTP callouts that run in parallel;
// the request waits until the last answer is in, then goes on carrying what they said.
//
// Configuration (JSON): {"cluster": "httpbin", "authority": "httpbin.org",
//                        "paths": ["/status/200", "/uuid", "/delay/1"]}
// cluster and paths (a non-empty array of strings starting with "/") are required; authority
// defaults to the cluster name.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  JSON,
  LogLevel,
  RootContext,
  WasmResult,
  http_call_response_headers,
  lastCallToken,
  log,
  makeHeaders,
  parseJsonObject,
  registerRootContext,
  stream_context,
} from "proxy-wasm-as";

const TIMEOUT_MS: u32 = 5000;

class DispatchRoot extends RootContext {
  cluster: string = "";
  authority: string = "";
  paths: string[] = [];

  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    const config = parseJsonObject(this.getConfiguration(), "multiple_dispatches configuration");
    if (config === null) return false;
    const cluster = config.getString("cluster");
    if (cluster === null || cluster.valueOf() == "") {
      log(LogLevel.Error, "multiple_dispatches: cluster must be a non-empty string");
      return false;
    }
    this.cluster = cluster.valueOf();
    const authority = config.getString("authority");
    this.authority = authority !== null ? authority.valueOf() : this.cluster;
    const paths = config.getArr("paths");
    if (paths === null || paths.valueOf().length == 0) {
      log(LogLevel.Error, "multiple_dispatches: paths must be a non-empty array");
      return false;
    }
    const list = paths.valueOf();
    for (let i = 0; i < list.length; i++) {
      const path = list[i];
      if (!path.isString || !(<JSON.Str>path).valueOf().startsWith("/")) {
        log(LogLevel.Error, 'multiple_dispatches: every path must be a string starting with "/"');
        return false;
      }
      this.paths.push((<JSON.Str>path).valueOf());
    }
    return true;
  }

  createContext(context_id: u32): Context {
    return new Dispatcher(context_id, this);
  }
}

class Dispatcher extends Context {
  /** The token of each call, in the order of `paths` (0 if it could not be sent). */
  tokens: u32[] = [];
  /** What each call answered: its `:status`, "failed", or "" while it is pending. */
  results: string[] = [];
  pending: i32 = 0;

  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const root = this.root_context as DispatchRoot;
    for (let i = 0; i < root.paths.length; i++) {
      // prettier-ignore
      const headers = makeHeaders([
        ":method", "GET",
        ":path", root.paths[i],
        ":authority", root.authority,
      ]);
      const sent = this.dispatchHttpCall(root.cluster, headers, null, [], TIMEOUT_MS);
      if (sent == WasmResult.Ok) {
        this.tokens.push(lastCallToken());
        this.results.push("");
        this.pending++;
      } else {
        log(LogLevel.Warn, "callout to " + root.paths[i] + " not sent: result " + sent.toString());
        this.tokens.push(0);
        this.results.push("failed");
      }
    }
    if (this.pending == 0) {
      this.finish();
      return FilterHeadersStatus.Continue;
    }
    // All calls are in flight at once; the request waits for the slowest.
    return FilterHeadersStatus.StopIteration;
  }

  onHttpCallResponse(token: u32, num_headers: u32, body_size: usize, num_trailers: u32): void {
    const index = this.tokens.indexOf(token);
    if (index < 0) return;
    this.results[index] = num_headers == 0 ? "failed" : http_call_response_headers.get(":status");
    this.pending--;
    const answered = "callout " + index.toString() + " answered " + this.results[index];
    log(LogLevel.Info, answered + ", " + this.pending.toString() + " pending");
    if (this.pending == 0) {
      this.finish();
      this.continueRequest();
    }
  }

  /** Hands the upstream every call's outcome, in the configured order. */
  finish(): void {
    stream_context.headers.request.add("x-dispatch-results", this.results.join(","));
  }
}

registerRootContext((context_id: u32) => new DispatchRoot(context_id), "multiple_dispatches");
