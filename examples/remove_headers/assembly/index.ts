// remove_headers: strip headers that must not cross the proxy.
//
// Requests lose the headers listed under "request" before they reach the upstream (internal
// credentials, debugging switches a client should not control); responses lose the ones under
// "response" before they reach the client (server versions, framework banners).
//
// Configuration (JSON):
//   {"request": ["x-internal-token", "x-debug"], "response": ["server", "x-powered-by"]}
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  HeaderMap,
  JSON,
  LogLevel,
  RootContext,
  log,
  parseJsonObject,
  registerRootContext,
  requestHeaders,
  responseHeaders,
} from "proxy-wasm-as";

class RemoveHeadersRoot extends RootContext {
  request: string[] = [];
  response: string[] = [];

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
    const config = parseJsonObject(this.getConfiguration(), "remove_headers configuration");
    if (config === null) return false;
    const request = headerNames(config, "request");
    const response = headerNames(config, "response");
    if (request === null || response === null) return false;
    if (request.length == 0 && response.length == 0) {
      log(
        LogLevel.Error,
        'remove_headers configuration: list headers under "request" or "response"',
      );
      return false;
    }
    this.request = request;
    this.response = response;
    return true;
  }

  createContext(contextId: u32): Context {
    return new RemoveHeaders(contextId, this);
  }
}

/**
 * The header names listed under `key` (an absent key is an empty list), lower-cased as the host
 * stores them; null (logged) when the list is malformed.
 */
function headerNames(config: JSON.Obj, key: string): string[] | null {
  const names = new Array<string>();
  if (!config.has(key)) return names;
  const list = config.getArr(key);
  if (list === null) {
    log(
      LogLevel.Error,
      'remove_headers configuration: "' + key + '" must be an array of header names',
    );
    return null;
  }
  const values = list.valueOf();
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    // Pseudo-headers (":path", ":status") are how the proxy routes and answers: never removable.
    if (!value.isString || (<JSON.Str>value).valueOf() == "" || value.toString().startsWith(":")) {
      log(
        LogLevel.Error,
        'remove_headers configuration: "' +
          key +
          '" has an invalid header name: ' +
          value.stringify(),
      );
      return null;
    }
    names.push(value.toString().toLowerCase());
  }
  return names;
}

function removeAll(map: HeaderMap, names: string[]): void {
  // remove() drops every entry of a name, so repeated headers go too.
  for (let i = 0; i < names.length; i++) map.remove(names[i]);
}

class RemoveHeaders extends Context {
  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    removeAll(requestHeaders, (this.rootContext as RemoveHeadersRoot).request);
    return FilterHeadersStatus.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    removeAll(responseHeaders, (this.rootContext as RemoveHeadersRoot).response);
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new RemoveHeadersRoot(contextId), "remove_headers");
