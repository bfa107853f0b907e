// Test filter for foreign functions, get_status, the clock, effective contexts and done():
// `x-case` picks one; results logged as key=value.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  RootContext,
  callForeignFunction,
  done,
  foreign_function_arguments,
  get_current_time_nanoseconds,
  get_status,
  lastForeignFunctionResult,
  logInfo,
  proxy_set_effective_context,
  registerRootContext,
  set_effective_context,
  stream_context,
} from "proxy-wasm-as";

function report(key: string, value: string): void {
  logInfo(key + "=" + value);
}

function orNull(value: string | null): string {
  return value !== null ? "[" + value + "]" : "null";
}

function call(label: string, name: string, args: string): void {
  const result = callForeignFunction(name, String.UTF8.encode(args));
  report(label, result !== null ? "[" + String.UTF8.decode(result) + "]" : "null");
  report(label + ".result", (<i32>lastForeignFunctionResult()).toString());
}

class MiscRoot extends RootContext {
  createContext(context_id: u32): Context {
    return new MiscFilter(context_id, this);
  }
}

class MiscFilter extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const h = stream_context.headers.request;
    const testCase = h.get("x-case");
    if (testCase == "foreign") {
      call("upper", "upper", "hello wasm");
      call("empty", "nothing", "x");
      call("missing", "no_such_function", "x");
      call("refused", "refuse", "x");
      call("after", "upper", "again");
      report("arguments.outside", foreign_function_arguments.get() === null ? "null" : "buffer");
    } else if (testCase == "time") {
      report("now", get_current_time_nanoseconds().toString());
    } else if (testCase == "status") {
      const s = get_status();
      report("status", s !== null ? s.status.toString() + "/" + s.message : "null");
      report("status.data", s !== null ? s.data.byteLength.toString() : "null");
    } else if (testCase == "effective") {
      report("unknown", (<i32>set_effective_context(99999)).toString());
      report("root", (<i32>set_effective_context(this.root_context.context_id)).toString());
      // Hostcalls now act on the root context, which has no request headers.
      report("as.root", orNull(h.getOrNull(":path")));
      report("self", (<i32>this.setEffectiveContext()).toString());
      report("as.self", orNull(h.getOrNull(":path")));
      report(
        "old.name.root",
        (<i32>proxy_set_effective_context(this.root_context.context_id)).toString(),
      );
      report("old.name.as.root", orNull(h.getOrNull(":path")));
      report("old.name.self", (<i32>proxy_set_effective_context(this.context_id)).toString());
    } else if (testCase == "done") {
      report("done", (<i32>done()).toString());
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((context_id: u32) => new MiscRoot(context_id), "misc");
