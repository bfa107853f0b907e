// dispatch_call_on_tick: work that belongs to no request. A timer on the root context fetches a
// list of blocked paths from a policy service every period_ms; every stream then answers 403
// for those paths. Requests never wait for the service: they use the last list fetched.
//
// Configuration (JSON): {"cluster": "policy", "path": "/blocked-paths", "period_ms": 10000}
// The service answers with one path per line.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  httpCallResponseBody,
  httpCallResponseHeaders,
  log,
  makeHeaders,
  parseJsonObject,
  registerRootContext,
  requestHeaders,
} from "proxy-wasm-as";

class PolicyRoot extends RootContext {
  cluster: string = "";
  path: string = "";
  blocked: Set<string> = new Set();
  inFlight: bool = false;

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
    const config = parseJsonObject(this.getConfiguration(), "dispatch_call_on_tick configuration");
    if (config === null) return false;
    const cluster = config.getString("cluster");
    const path = config.getString("path");
    const period = config.getInteger("period_ms");
    if (
      cluster === null ||
      cluster.valueOf() == "" ||
      path === null ||
      !path.valueOf().startsWith("/")
    ) {
      log(LogLevel.Error, 'dispatch_call_on_tick: needs "cluster" and a "path" starting with "/"');
      return false;
    }
    if (period === null || period.valueOf() < 100 || period.valueOf() > 3_600_000) {
      log(
        LogLevel.Error,
        "dispatch_call_on_tick: period_ms must be an integer from 100 to 3600000",
      );
      return false;
    }
    this.cluster = cluster.valueOf();
    this.path = path.valueOf();
    this.setTickPeriod(<u32>period.valueOf());
    return true;
  }

  onTick(): void {
    if (this.inFlight) return; // a slow service must not pile up calls
    const headers = makeHeaders([":method", "GET", ":path", this.path, ":authority", this.cluster]);
    // The root context makes the call; its reply comes back to this root's onHttpCallResponse.
    const call = this.dispatchHttpCall(this.cluster, headers, null, [], 5000);
    if (call.ok) this.inFlight = true;
    else log(LogLevel.Warn, "policy fetch not sent: result " + call.status.toString());
  }

  onHttpCallResponse(token: u32, numHeaders: u32, bodySize: usize, numTrailers: u32): void {
    this.inFlight = false;
    if (numHeaders == 0 || httpCallResponseHeaders.get(":status") != "200") {
      // Keep the last good list rather than dropping all protection.
      log(
        LogLevel.Warn,
        "policy fetch failed; keeping " + this.blocked.size.toString() + " blocked paths",
      );
      return;
    }
    const body = httpCallResponseBody.getString(0, <u32>bodySize);
    const blocked = new Set<string>();
    if (body !== null) {
      const lines = body.split("\n");
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i].trim();
        if (line.startsWith("/")) blocked.add(line);
      }
    }
    this.blocked = blocked;
    log(LogLevel.Info, "policy updated: " + blocked.size.toString() + " blocked paths");
  }

  createContext(contextId: u32): Context {
    return new PolicyFilter(contextId, this);
  }
}

class PolicyFilter extends Context {
  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = this.rootContext as PolicyRoot;
    let path = requestHeaders.get(":path");
    if (path === null) return FilterHeadersStatus.Continue;
    const query = path.indexOf("?");
    if (query >= 0) path = path.substring(0, query);
    if (root.blocked.has(path)) {
      this.sendLocalResponse(
        403,
        "blocked_by_policy",
        String.UTF8.encode("blocked by policy\n"),
        [],
      );
      return FilterHeadersStatus.StopIteration;
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new PolicyRoot(contextId), "dispatch_call_on_tick");
