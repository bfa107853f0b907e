// basic_auth: HTTP Basic authentication (RFC 7617) in front of an upstream.
//
// A request must carry "Authorization: Basic <base64(user:password)>" for one of the configured
// users; otherwise the proxy answers 401 with a WWW-Authenticate challenge and the upstream never
// sees the request. An authenticated request goes upstream with the user's name in
// x-authenticated-user (a header the client cannot forge: any copy it sent is removed).
//
// Configuration (JSON):
//   {"realm": "internal", "users": {"alice": "correct horse", "bob": "battery staple"}}
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  base64EncodeString,
  log,
  makeHeaders,
  parseJsonObject,
  registerRootContext,
  requestHeaders,
} from "proxy-wasm-as";

const USER_HEADER = "x-authenticated-user";

class BasicAuthRoot extends RootContext {
  // The expected credentials in the form they arrive: base64("user:password") → user. Encoding
  // the few configured users once is cheaper than decoding every request, and it means the
  // filter never has to decode (and trust) bytes chosen by a client.
  credentials: Map<string, string> = new Map();
  challenge: string = "";

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
    const config = parseJsonObject(this.getConfiguration(), "basic_auth configuration");
    if (config === null) return false;

    let realm = "proxy";
    if (config.has("realm")) {
      const value = config.getString("realm");
      if (value === null || value.valueOf() == "" || value.valueOf().includes('"')) {
        log(
          LogLevel.Error,
          'basic_auth configuration: "realm" must be a non-empty string without quotes',
        );
        return false;
      }
      realm = value.valueOf();
    }
    this.challenge = 'Basic realm="' + realm + '", charset="UTF-8"';

    const users = config.getObj("users");
    if (users === null || users.keys.length == 0) {
      log(
        LogLevel.Error,
        'basic_auth configuration: "users" must be an object of user names to passwords',
      );
      return false;
    }
    const names = users.keys;
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      const password = users.getString(name);
      // RFC 7617: the user-id cannot contain a colon; the password can.
      if (name == "" || name.includes(":") || password === null) {
        log(
          LogLevel.Error,
          'basic_auth configuration: user "' +
            name +
            '" needs a name without ":" and a string password',
        );
        return false;
      }
      this.credentials.set(base64EncodeString(name + ":" + password.valueOf()), name);
    }
    return true;
  }

  createContext(contextId: u32): Context {
    return new BasicAuth(contextId, this);
  }
}

class BasicAuth extends Context {
  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = this.rootContext as BasicAuthRoot;
    const headers = requestHeaders;
    headers.remove(USER_HEADER);

    const authorization = headers.get("authorization");
    // The scheme name is case-insensitive (RFC 9110 §11.1).
    if (
      authorization !== null &&
      authorization.length > 6 &&
      authorization.substr(0, 6).toLowerCase() == "basic "
    ) {
      const token = authorization.substr(6).trim();
      if (root.credentials.has(token)) {
        headers.replace(USER_HEADER, root.credentials.get(token));
        // The upstream trusts x-authenticated-user; it does not need the password.
        headers.remove("authorization");
        return FilterHeadersStatus.Continue;
      }
    }
    const method = headers.get(":method");
    const path = headers.get(":path");
    log(
      LogLevel.Info,
      "basic_auth: rejected " +
        (method !== null ? method : "-") +
        " " +
        (path !== null ? path : "-"),
    );
    this.sendLocalResponse(
      401,
      "basic_auth_unauthorized",
      String.UTF8.encode("authentication required\n"),
      makeHeaders(["www-authenticate", root.challenge]),
    );
    return FilterHeadersStatus.StopIteration;
  }
}

registerRootContext((contextId: u32) => new BasicAuthRoot(contextId), "basic_auth");
