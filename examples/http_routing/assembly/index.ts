// http_routing: choose the upstream of each request in the filter. A share of the users go to
// a canary version; the filter records its choice in the `x-route-to` request header, and
// Envoy's route table sends the request to the matching cluster. (Envoy clears its route cache
// whenever a Wasm filter changes request headers, so the route is chosen after the filter ran.)
//
// Configuration (JSON): {"canary_percent": 20, "user_header": "x-user-id"} — canary_percent is an
// integer from 0 to 100; user_header (default "x-user-id") names the header that identifies a
// user. The same user always gets the same version.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  isLogEnabled,
  log,
  parseJsonObject,
  registerRootContext,
  requestHeaders,
  responseHeaders,
} from "proxy-wasm-as";

/** The request header Envoy's routes match on (see envoy.yaml). */
const ROUTE_HEADER = "x-route-to";

class RoutingRoot extends RootContext {
  canaryPercent: u32 = 0;
  userHeader: string = "x-user-id";

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
    const config = parseJsonObject(this.getConfiguration(), "http_routing configuration");
    if (config === null) return false;
    const percent = config.getInteger("canary_percent");
    if (percent === null || percent.valueOf() < 0 || percent.valueOf() > 100) {
      log(LogLevel.Error, "http_routing: canary_percent must be an integer from 0 to 100");
      return false;
    }
    this.canaryPercent = <u32>percent.valueOf();
    if (config.has("user_header")) {
      const header = config.getString("user_header");
      if (header === null || header.valueOf() == "") {
        log(LogLevel.Error, "http_routing: user_header must be a non-empty string");
        return false;
      }
      this.userHeader = header.valueOf();
    }
    return true;
  }

  createContext(contextId: u32): Context {
    return new Routing(contextId, this);
  }
}

class Routing extends Context {
  version: string = "primary";

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = this.rootContext as RoutingRoot;
    const headers = requestHeaders;
    const user = headers.get(root.userHeader);
    // Anonymous requests stay on the primary version.
    if (user !== null && bucketOf(user) < root.canaryPercent) this.version = "canary";
    // replace, not add: a value the client sent must not choose the route.
    headers.replace(ROUTE_HEADER, this.version);
    if (isLogEnabled(LogLevel.Debug)) {
      log(
        LogLevel.Debug,
        "routing " + (user !== null ? user : "anonymous") + " to " + this.version,
      );
    }
    return FilterHeadersStatus.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    // Let the client see which version answered.
    responseHeaders.replace("x-served-by", this.version);
    return FilterHeadersStatus.Continue;
  }
}

/** A stable bucket from 0 to 99 for a user: FNV-1a over the UTF-8 bytes, modulo 100. */
function bucketOf(user: string): u32 {
  const bytes = Uint8Array.wrap(String.UTF8.encode(user));
  let hash: u32 = 2166136261;
  for (let i = 0; i < bytes.length; i++) {
    hash ^= bytes[i];
    hash *= 16777619;
  }
  return hash % 100;
}

registerRootContext((contextId: u32) => new RoutingRoot(contextId), "http_routing");
