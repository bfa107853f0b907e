// cors: Cross-Origin Resource Sharing at the proxy, so upstreams need not implement it.
//
// A preflight (OPTIONS with Access-Control-Request-Method) is answered here and never reaches
// the upstream: 204 with the Access-Control-Allow-* headers when the origin, method and headers
// are allowed, 403 otherwise. An actual cross-origin request from an allowed origin goes upstream
// as usual and its response gets Access-Control-Allow-Origin (and friends) on the way back.
//
// Configuration (JSON):
//   {"allowed_origins": ["https://app.example"], "allowed_methods": ["GET", "POST"],
//    "allowed_headers": ["content-type"], "expose_headers": ["x-request-id"],
//    "max_age": 600, "allow_credentials": true}
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  HeaderPair,
  JSON,
  LogLevel,
  RootContext,
  log,
  makeHeaders,
  parseJsonObject,
  registerRootContext,
  requestHeaders,
  responseHeaders,
} from "proxy-wasm-as";

class CorsRoot extends RootContext {
  origins: string[] = [];
  anyOrigin: bool = false;
  methods: string[] = [];
  headers: string[] = [];
  exposeHeaders: string = "";
  maxAge: i64 = 600;
  credentials: bool = false;

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
    const config = parseJsonObject(this.getConfiguration(), "cors configuration");
    if (config === null) return false;

    const origins = stringList(config, "allowed_origins", false);
    const methods = stringList(config, "allowed_methods", true);
    const headers = stringList(config, "allowed_headers", false);
    const expose = stringList(config, "expose_headers", false);
    if (origins === null || methods === null || headers === null || expose === null) return false;
    if (origins.length == 0) {
      log(
        LogLevel.Error,
        'cors configuration: "allowed_origins" must list at least one origin (or "*")',
      );
      return false;
    }
    this.origins = origins;
    this.anyOrigin = origins.includes("*");
    this.methods = methods.length > 0 ? methods : ["GET", "HEAD", "POST"];
    // Header names compare case-insensitively; the methods do not (RFC 9110).
    for (let i = 0; i < headers.length; i++) this.headers.push(headers[i].toLowerCase());
    this.exposeHeaders = expose.join(", ");

    if (config.has("max_age")) {
      const maxAge = config.getInteger("max_age");
      if (maxAge === null || maxAge.valueOf() < 0) {
        log(
          LogLevel.Error,
          'cors configuration: "max_age" must be a number of seconds (0 or more)',
        );
        return false;
      }
      this.maxAge = maxAge.valueOf();
    }
    if (config.has("allow_credentials")) {
      const credentials = config.getBool("allow_credentials");
      if (credentials === null) {
        log(LogLevel.Error, 'cors configuration: "allow_credentials" must be true or false');
        return false;
      }
      this.credentials = credentials.valueOf();
    }
    // Browsers ignore "Access-Control-Allow-Origin: *" on credentialed requests; refuse the
    // combination instead of echoing every origin with credentials, which would trust anyone.
    if (this.credentials && this.anyOrigin) {
      log(
        LogLevel.Error,
        'cors configuration: "allow_credentials" cannot be used with the origin "*"',
      );
      return false;
    }
    return true;
  }

  allowsOrigin(origin: string): bool {
    return this.anyOrigin || this.origins.includes(origin);
  }

  /** The value of Access-Control-Allow-Origin for an allowed `origin`. */
  allowOriginValue(origin: string): string {
    return this.anyOrigin ? "*" : origin;
  }

  createContext(contextId: u32): Context {
    return new Cors(contextId, this);
  }
}

/**
 * The strings listed under `key` (absent: empty); null (logged) when it is not an array of
 * non-empty strings. `upper` upper-cases them (for methods, which are written that way).
 */
function stringList(config: JSON.Obj, key: string, upper: bool): string[] | null {
  const out = new Array<string>();
  if (!config.has(key)) return out;
  const list = config.getArr(key);
  const message = 'cors configuration: "' + key + '" must be an array of non-empty strings';
  if (list === null) {
    log(LogLevel.Error, message);
    return null;
  }
  const values = list.valueOf();
  for (let i = 0; i < values.length; i++) {
    if (!values[i].isString || values[i].toString() == "") {
      log(LogLevel.Error, message);
      return null;
    }
    out.push(upper ? values[i].toString().toUpperCase() : values[i].toString());
  }
  return out;
}

class Cors extends Context {
  // The allowed origin of an actual cross-origin request; "" when the response needs no CORS headers.
  origin: string = "";

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = this.rootContext as CorsRoot;
    const request = requestHeaders;
    const origin = request.get("origin");
    if (origin === null) return FilterHeadersStatus.Continue; // same-origin or not a browser

    const requestedMethod = request.get("access-control-request-method");
    if (request.get(":method") == "OPTIONS" && requestedMethod !== null) {
      this.answerPreflight(
        root,
        origin,
        requestedMethod,
        request.get("access-control-request-headers"),
      );
      return FilterHeadersStatus.StopIteration;
    }
    // A disallowed origin still reaches the upstream (CORS is enforced by the browser, which
    // will not hand the response to the page without Access-Control-Allow-Origin).
    if (root.allowsOrigin(origin)) this.origin = origin;
    return FilterHeadersStatus.Continue;
  }

  answerPreflight(
    root: CorsRoot,
    origin: string,
    method: string,
    requestedHeaders: string | null,
  ): void {
    if (
      !root.allowsOrigin(origin) ||
      !root.methods.includes(method) ||
      !headersAllowed(root, requestedHeaders)
    ) {
      this.sendLocalResponse(
        403,
        "cors_preflight_rejected",
        String.UTF8.encode("CORS preflight rejected\n"),
        makeHeaders(["vary", "Origin"]),
      );
      return;
    }
    // prettier-ignore
    const headers = makeHeaders([
      "access-control-allow-origin", root.allowOriginValue(origin),
      "access-control-allow-methods", root.methods.join(", "),
      "access-control-max-age", root.maxAge.toString(),
      "vary", "Origin",
    ]);
    if (requestedHeaders !== null && requestedHeaders != "") {
      headers.push(HeaderPair.of("access-control-allow-headers", root.headers.join(", ")));
    }
    if (root.credentials) {
      headers.push(HeaderPair.of("access-control-allow-credentials", "true"));
    }
    this.sendLocalResponse(204, "cors_preflight", new ArrayBuffer(0), headers);
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    if (this.origin == "") return FilterHeadersStatus.Continue;
    const root = this.rootContext as CorsRoot;
    const response = responseHeaders;
    response.replace("access-control-allow-origin", root.allowOriginValue(this.origin));
    // Caches must not serve one origin's answer to another.
    if (!root.anyOrigin) response.add("vary", "Origin");
    if (root.credentials) response.replace("access-control-allow-credentials", "true");
    if (root.exposeHeaders != "")
      response.replace("access-control-expose-headers", root.exposeHeaders);
    return FilterHeadersStatus.Continue;
  }
}

/** True when every header in the comma-separated `requested` list (if any) is allowed. */
function headersAllowed(root: CorsRoot, requested: string | null): bool {
  if (requested === null || requested == "") return true;
  const names = requested.split(",");
  for (let i = 0; i < names.length; i++) {
    const name = names[i].trim().toLowerCase();
    if (name != "" && !root.headers.includes(name)) return false;
  }
  return true;
}

registerRootContext((contextId: u32) => new CorsRoot(contextId), "cors");
