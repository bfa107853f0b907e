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
  httpCallResponseHeaders,
  log,
  makeHeaders,
  parseJsonObject,
  registerRootContext,
  requestHeaders,
} from "proxy-wasm-as";

const TIMEOUT_MS: u32 = 5000;

class DispatchRoot extends RootContext {
  cluster: string = "";
  authority: string = "";
  paths: string[] = [];

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
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

  createContext(contextId: u32): Context {
    return new Dispatcher(contextId, this);
  }
}

class Dispatcher extends Context {
  /** The token of each call, in the order of `paths` (0 if it could not be sent). */
  tokens: u32[] = [];
  /** What each call answered: its `:status`, "failed", or "" while it is pending. */
  results: string[] = [];
  pending: i32 = 0;

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = this.rootContext as DispatchRoot;
    for (let i = 0; i < root.paths.length; i++) {
      // prettier-ignore
      const headers = makeHeaders([
        ":method", "GET",
        ":path", root.paths[i],
        ":authority", root.authority,
      ]);
      const call = this.dispatchHttpCall(root.cluster, headers, null, [], TIMEOUT_MS);
      if (call.ok) {
        this.tokens.push(call.value);
        this.results.push("");
        this.pending++;
      } else {
        log(
          LogLevel.Warn,
          "callout to " + root.paths[i] + " not sent: result " + call.status.toString(),
        );
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

  onHttpCallResponse(token: u32, numHeaders: u32, bodySize: usize, numTrailers: u32): void {
    const index = this.tokens.indexOf(token);
    if (index < 0) return;
    const status = httpCallResponseHeaders.get(":status"); // null when the call failed
    this.results[index] = numHeaders != 0 && status !== null ? status : "failed";
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
    requestHeaders.add("x-dispatch-results", this.results.join(","));
  }
}

registerRootContext((contextId: u32) => new DispatchRoot(contextId), "multiple_dispatches");
