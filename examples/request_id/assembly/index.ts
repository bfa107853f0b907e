// request_id: make sure every request carries a request id, and hand it back to the client.
//
// A request without the header gets a fresh random id (UUID version 4 format) before it goes
// upstream; a request that already has one keeps it. Either way the response carries the same
// id, so a client can quote it when it reports a problem.
//
// Configuration (optional JSON): {"header": "x-correlation-id"}; the default is x-request-id.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  log,
  parseJsonObject,
  registerRootContext,
  requestHeaders,
  responseHeaders,
} from "proxy-wasm-as";

class RequestIdRoot extends RootContext {
  header: string = "x-request-id";

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
    const text = this.getConfiguration();
    if (text == "") return true; // no configuration: the default header
    const config = parseJsonObject(text, "request_id configuration");
    if (config === null) return false;
    const header = config.getString("header");
    if (header !== null) {
      const name = header.valueOf().toLowerCase();
      if (name == "" || name.startsWith(":")) {
        log(LogLevel.Error, 'request_id configuration: "header" must be a regular header name');
        return false;
      }
      this.header = name;
    }
    return true;
  }

  createContext(contextId: u32): Context {
    return new RequestId(contextId, this);
  }
}

const HEX = "0123456789abcdef";

/** A random id in the UUID version 4 layout: xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx. */
function newRequestId(): string {
  let id = "";
  for (let i = 0; i < 36; i++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      id += "-";
    } else if (i == 14) {
      id += "4"; // the version
    } else {
      let digit = <i32>(Math.random() * 16);
      if (i == 19) digit = (digit & 0x3) | 0x8; // the variant: 8, 9, a or b
      id += HEX.charAt(digit);
    }
  }
  return id;
}

class RequestId extends Context {
  // The id is kept per stream: the request headers are gone by the time the response arrives.
  id: string = "";

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = this.rootContext as RequestIdRoot;
    const incoming = requestHeaders.get(root.header);
    if (incoming !== null && incoming != "") {
      this.id = incoming;
    } else {
      this.id = newRequestId();
      requestHeaders.replace(root.header, this.id);
    }
    return FilterHeadersStatus.Continue;
  }

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    // A local reply sent before the request headers were seen has no id to echo.
    if (this.id != "") {
      const root = this.rootContext as RequestIdRoot;
      responseHeaders.replace(root.header, this.id);
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new RequestIdRoot(contextId), "request_id");
