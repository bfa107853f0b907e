// A filter written for @gcoredev/proxy-wasm-sdk-as 1.2.3: requests without the API key of the
// API_KEY environment variable get a local 401; the others get `x-gcore: <configuration>` on
// the response.
export * from "@gcoredev/proxy-wasm-sdk-as/assembly/proxy";
import {
  Context,
  FilterHeadersStatusValues,
  LogLevelValues,
  RootContext,
  log,
  makeHeaderPair,
  registerRootContext,
  send_http_response,
  stream_context,
} from "@gcoredev/proxy-wasm-sdk-as/assembly";
import { getEnv, setLogLevel } from "@gcoredev/proxy-wasm-sdk-as/assembly/fastedge";

class ApiKeyRoot extends RootContext {
  createContext(context_id: u32): Context {
    setLogLevel(LogLevelValues.debug);
    return new ApiKeyFilter(context_id, this);
  }
}

class ApiKeyFilter extends Context {
  constructor(context_id: u32, root_context: ApiKeyRoot) {
    super(context_id, root_context);
  }

  onRequestHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    const key = stream_context.headers.request.get("x-api-key");
    if (key == "" || key != getEnv("API_KEY")) {
      log(LogLevelValues.debug, "rejected a request without the API key");
      send_http_response(401, "unauthorized", String.UTF8.encode("missing or wrong API key"), [
        makeHeaderPair("www-authenticate", "api-key"),
      ]);
      return FilterHeadersStatusValues.StopIteration;
    }
    return FilterHeadersStatusValues.Continue;
  }

  onResponseHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    stream_context.headers.response.add("x-gcore", this.root_context.getConfiguration());
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => {
  return new ApiKeyRoot(context_id);
}, "api_key");
