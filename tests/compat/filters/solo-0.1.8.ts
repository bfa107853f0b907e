// A filter written for @solo-io/proxy-runtime 0.1.8: it counts requests, answers /deny with a
// local 403 and adds `x-solo: <configuration>` to responses. Registered under two root ids, once
// with each form of `registerRootContext`.
export * from "@solo-io/proxy-runtime/proxy";
import {
  Context,
  Counter,
  FilterHeadersStatusValues,
  GrpcStatusValues,
  LogLevelValues,
  RootContext,
  log,
  registerRootContext,
  send_local_response,
  stream_context,
} from "@solo-io/proxy-runtime";

class SoloRoot extends RootContext {
  requests: Counter = new Counter("solo_requests");

  createContext(context_id: u32): Context {
    return new SoloFilter(context_id, this);
  }
}

class SoloFilter extends Context {
  constructor(context_id: u32, root_context: SoloRoot) {
    super(context_id, root_context);
  }

  onRequestHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    (this.root_context as SoloRoot).requests.increment(1);
    if (stream_context.headers.request.get(":path") == "/deny") {
      log(LogLevelValues.info, "denying context " + this.context_id.toString());
      send_local_response(
        403,
        "denied by solo filter",
        String.UTF8.encode("denied"),
        [],
        GrpcStatusValues.InvalidCode,
      );
      return FilterHeadersStatusValues.StopIteration;
    }
    return FilterHeadersStatusValues.Continue;
  }

  onResponseHeaders(a: u32, end_of_stream: bool): FilterHeadersStatusValues {
    stream_context.headers.response.add("x-solo", this.root_context.getConfiguration());
    return FilterHeadersStatusValues.Continue;
  }
}

registerRootContext((context_id: u32) => {
  return new SoloRoot(context_id);
}, "solo");
// The form without the id (the runtime sets it).
registerRootContext(() => new SoloRoot(0), "solo_without_id");
