// redirect: answer moved URLs at the proxy with 301/302/307/308, from JSON rules.
//
// Each rule matches a path exactly ("path") or by prefix ("prefix"). A match is answered with a
// local reply whose Location is the rule's target; for a prefix rule the rest of the path is
// appended to the target, and the query string is always kept. Requests no rule matches go
// upstream unchanged. The first matching rule wins.
//
// Configuration (JSON):
//   {"rules": [
//     {"path": "/pricing.html", "location": "/pricing", "status": 301},
//     {"prefix": "/blog/", "location": "https://blog.example/", "status": 302}]}
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  JSON,
  LogLevel,
  RootContext,
  log,
  makeHeaders,
  parseJsonObject,
  registerRootContext,
  requestHeaders,
} from "proxy-wasm-as";

class Rule {
  constructor(
    public match: string,
    public isPrefix: bool,
    public location: string,
    public status: u32,
  ) {}

  /** The Location for `path` (without its query), or null when the rule does not match. */
  target(path: string): string | null {
    if (this.isPrefix) {
      return path.startsWith(this.match) ? this.location + path.substr(this.match.length) : null;
    }
    return path == this.match ? this.location : null;
  }
}

class RedirectRoot extends RootContext {
  rules: Rule[] = [];

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
    const config = parseJsonObject(this.getConfiguration(), "redirect configuration");
    if (config === null) return false;
    const rules = config.getArr("rules");
    if (rules === null || rules.valueOf().length == 0) {
      log(LogLevel.Error, 'redirect configuration: "rules" must be a non-empty array');
      return false;
    }
    const list = rules.valueOf();
    for (let i = 0; i < list.length; i++) {
      const rule = parseRule(list[i], i);
      if (rule === null) return false;
      this.rules.push(rule);
    }
    return true;
  }

  createContext(contextId: u32): Context {
    return new Redirect(contextId, this);
  }
}

function parseRule(value: JSON.Value, index: i32): Rule | null {
  const where = "redirect configuration: rule " + index.toString() + ": ";
  if (!value.isObj) {
    log(LogLevel.Error, where + "must be an object");
    return null;
  }
  const rule = <JSON.Obj>value;
  const path = rule.getString("path");
  const prefix = rule.getString("prefix");
  if ((path === null) == (prefix === null)) {
    log(LogLevel.Error, where + 'needs exactly one of "path" or "prefix"');
    return null;
  }
  const match = path !== null ? path.valueOf() : prefix!.valueOf();
  if (!match.startsWith("/")) {
    log(LogLevel.Error, where + "the path or prefix must start with /");
    return null;
  }
  const location = rule.getString("location");
  if (location === null || location.valueOf() == "") {
    log(LogLevel.Error, where + '"location" must be a URL or an absolute path');
    return null;
  }
  let status: i64 = 301;
  if (rule.has("status")) {
    const code = rule.getInteger("status");
    status = code !== null ? code.valueOf() : 0;
    if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
      log(LogLevel.Error, where + '"status" must be 301, 302, 303, 307 or 308');
      return null;
    }
  }
  return new Rule(match, prefix !== null, location.valueOf(), <u32>status);
}

class Redirect extends Context {
  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const rules = (this.rootContext as RedirectRoot).rules;
    const full = requestHeaders.get(":path");
    if (full === null) return FilterHeadersStatus.Continue;
    const q = full.indexOf("?");
    const path = q < 0 ? full : full.substr(0, q);
    const query = q < 0 ? "" : full.substr(q);

    for (let i = 0; i < rules.length; i++) {
      const target = rules[i].target(path);
      if (target === null) continue;
      this.sendLocalResponse(
        rules[i].status,
        "redirect",
        new ArrayBuffer(0),
        makeHeaders(["location", target + query]),
      );
      return FilterHeadersStatus.StopIteration;
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new RedirectRoot(contextId), "redirect");
