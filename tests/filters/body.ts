// Test filter for the body Buffer wrappers (get / getString / length / replace / prepend / append /
// setBytes): `x-case` picks what is done to the bodies; results are logged as `key=value`.
export * from "proxy-wasm-as/proxy";
import {
  Buffer,
  BufferType,
  Context,
  FilterDataStatus,
  FilterHeadersStatus,
  LogLevel,
  Result,
  RootContext,
  log,
  registerRootContext,
  requestBody,
  requestHeaders,
  responseBody,
} from "proxy-wasm-as";

/** A header value, or "" when the header is absent. */
function orEmpty(value: string | null): string {
  return value !== null ? value : "";
}

function len(value: Result<u32>): string {
  return value.ok ? value.value.toString() : "-1";
}

function report(key: string, value: string): void {
  log(LogLevel.Info, key + "=" + value);
}

function orNull(value: string | null): string {
  return value !== null ? "[" + value + "]" : "null";
}

function bytes(values: u8[]): ArrayBuffer {
  const out = new ArrayBuffer(values.length);
  for (let i = 0; i < values.length; i++) store<u8>(changetype<usize>(out) + i, values[i]);
  return out;
}

function hex(buffer: ArrayBuffer | null): string {
  if (buffer === null) return "null";
  let out = "";
  for (let i = 0; i < buffer.byteLength; i++) {
    const b = load<u8>(changetype<usize>(buffer) + i);
    out += (b < 16 ? "0" : "") + b.toString(16);
  }
  return out;
}

class BodyRoot extends RootContext {
  createContext(contextId: u32): Context {
    return new BodyFilter(contextId, this);
  }
}

class BodyFilter extends Context {
  testCase: string = "";
  chunks: i32 = 0;

  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    this.testCase = orEmpty(requestHeaders.get("x-case"));
    if (this.testCase == "outside") {
      // No body callback is running: the body buffer is not available.
      const b = requestBody;
      report("outside.get", hex(b.get()));
      report("outside.getString", orNull(b.getString()));
      report("outside.length", len(b.length()));
      report("outside.replace", (<i32>b.replaceString("x")).toString());
      report("outside.append", (<i32>b.appendString("x")).toString());
      report("outside.prepend", (<i32>b.prependString("x")).toString());
      report("outside.setBytes", (<i32>b.setBytes(0, 0, bytes([1]))).toString());
    }
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    const b = requestBody;
    this.chunks++;
    report("chunk" + this.chunks.toString() + ".size", body_buffer_length.toString());
    report("chunk" + this.chunks.toString() + ".eos", end_of_stream ? "true" : "false");
    const c = this.testCase;
    if (c == "read") {
      report("getString", orNull(b.getString()));
      report("get.hex", hex(b.get()));
      report("length", len(b.length()));
      report("slice", orNull(b.getString(2, 3)));
      report("past.end", orNull(b.getString(100)));
      report("clamped", orNull(b.getString(4, 1000)));
      report("own.buffer", orNull(new Buffer(BufferType.HttpRequestBody).getString(0, 5)));
    } else if (c == "utf8") {
      const text = b.getString();
      report("utf8.text", orNull(text));
      if (text !== null) b.replaceString(text + "→" + text.length.toString());
    } else if (c == "replace") {
      report("replace", (<i32>b.replaceString("replaced")).toString());
      report("after", orNull(b.getString()));
      report("length.after", len(b.length()));
    } else if (c == "replace-bytes") {
      report("replace", (<i32>b.replace(bytes([0, 1, 2, 255]))).toString());
    } else if (c == "wrap") {
      report("prepend", (<i32>b.prependString("<<")).toString());
      report("append", (<i32>b.appendString(">>")).toString());
      report("prepend.bytes", (<i32>b.prepend(bytes([0x5b]))).toString()); // "["
      report("append.bytes", (<i32>b.append(bytes([0x5d]))).toString()); // "]"
    } else if (c == "setBytes") {
      const len = b.length().value;
      report("setBytes.front", (<i32>b.setBytes(0, 2, String.UTF8.encode("AB"))).toString());
      report("setBytes.middle", (<i32>b.setBytes(2, 0, String.UTF8.encode("x"))).toString());
      report("setBytes.end", (<i32>b.setBytes(len, 0, String.UTF8.encode("!"))).toString());
      report("after", orNull(b.getString()));
    } else if (c == "buffer") {
      if (!end_of_stream) return FilterDataStatus.StopIterationAndBuffer;
      const text = b.getString();
      report("whole", orNull(text));
      if (text !== null) b.replaceString(text.toUpperCase());
    }
    return FilterDataStatus.Continue;
  }

  onResponseBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    const b = responseBody;
    report("response.size", body_buffer_length.toString());
    report("response.request.length", len(requestBody.length()));
    if (end_of_stream) b.appendString("<!-- " + this.testCase + " -->");
    return FilterDataStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new BodyRoot(contextId), "body");
