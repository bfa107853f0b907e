// Test filter for foreign functions, get_status, the clock, effective contexts and done():
// `x-case` picks one; results logged as key=value.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  callForeignFunction,
  foreignFunctionArguments,
  getCallStatus,
  getCurrentTimeNanoseconds,
  log,
  registerRootContext,
  requestHeaders,
} from "proxy-wasm-as";

function report(key: string, value: string): void {
  log(LogLevel.Info, key + "=" + value);
}

function orNull(value: string | null): string {
  return value !== null ? "[" + value + "]" : "null";
}

function call(label: string, name: string, args: string): void {
  const result = callForeignFunction(name, String.UTF8.encode(args));
  report(label, result.ok ? "[" + String.UTF8.decode(result.value) + "]" : "null");
  report(label + ".result", (<i32>result.status).toString());
  report(label + ".value.length", result.value.byteLength.toString());
}

class MiscRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new MiscFilter(contextId, this);
  }
}

class MiscFilter extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const h = requestHeaders;
    const testCase = h.get("x-case");
    if (testCase === null) return FilterHeadersStatus.Continue;
    if (testCase == "foreign") {
      call("upper", "upper", "hello wasm");
      call("empty", "nothing", "x");
      call("missing", "no_such_function", "x");
      call("refused", "refuse", "x");
      call("after", "upper", "again");
      report("arguments.outside", foreignFunctionArguments.get() === null ? "null" : "buffer");
    } else if (testCase == "time") {
      report("now", getCurrentTimeNanoseconds().value.toString());
    } else if (testCase == "status") {
      const s = getCallStatus();
      report("status", s !== null ? s.code.toString() + "/" + s.message : "null");
    } else if (testCase == "effective") {
      report("root", (<i32>this.rootContext.setEffectiveContext()).toString());
      // Hostcalls now act on the root context, which has no request headers.
      report("as.root", orNull(h.get(":path")));
      report("self", (<i32>this.setEffectiveContext()).toString());
      report("as.self", orNull(h.get(":path")));
    } else if (testCase == "done") {
      report("done", (<i32>this.rootContext.done()).toString());
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new MiscRoot(contextId), "misc");
