// json_validation: accept only well-formed JSON request bodies that carry the fields the
// upstream needs; everything else is answered by the filter (400, 413 or 415) and never reaches
// the upstream. The SDK parses both the plugin configuration and the bodies into assemblyscript-json
// values. At most max_body_bytes of a body are ever parsed: a larger one gets 413 first.
//
// Configuration (JSON): {"required_fields": ["user", "amount"], "max_body_bytes": 65536}
// required_fields: non-empty array of strings; max_body_bytes: optional positive integer
// (default 65536).
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterDataStatus,
  FilterHeadersStatus,
  JSON,
  LogLevel,
  RootContext,
  lastJsonError,
  log,
  makeHeaders,
  parseJsonObject,
  registerRootContext,
  stream_body,
  stream_context,
  tryParseJsonObject,
} from "proxy-wasm-as";

class JsonValidationRoot extends RootContext {
  requiredFields: string[] = [];
  maxBodyBytes: usize = 65536;

  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    const config = parseJsonObject(this.getConfiguration(), "json_validation configuration");
    if (config === null) return false;

    const fields = config.getArr("required_fields");
    if (fields === null || fields.valueOf().length == 0) {
      log(LogLevel.Error, "json_validation: required_fields must be a non-empty array");
      return false;
    }
    const list = fields.valueOf();
    for (let i = 0; i < list.length; i++) {
      const field = list[i];
      if (!field.isString) {
        log(LogLevel.Error, "json_validation: required_fields must hold only strings");
        return false;
      }
      this.requiredFields.push((<JSON.Str>field).valueOf());
    }

    if (config.has("max_body_bytes")) {
      const max = config.getInteger("max_body_bytes");
      if (max === null || max.valueOf() <= 0) {
        log(LogLevel.Error, "json_validation: max_body_bytes must be a positive integer");
        return false;
      }
      this.maxBodyBytes = <usize>max.valueOf();
    }
    return true;
  }

  createContext(context_id: u32): Context {
    return new JsonValidation(context_id, this);
  }
}

class JsonValidation extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    if (end_of_stream) return FilterHeadersStatus.Continue; // no body to check
    const type = stream_context.headers.request.get("content-type");
    if (!type.startsWith("application/json")) {
      this.reject(415, "json_validation_content_type", "content-type must be application/json");
      return FilterHeadersStatus.StopIteration;
    }
    // The headers may go on: Envoy would not call onRequestBody for a stream whose headers are
    // stopped. If the body fails the check, the local reply below resets the upstream request
    // before it got any body.
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(body_buffer_length: usize, end_of_stream: bool): FilterDataStatus {
    const root = this.root_context as JsonValidationRoot;
    // Refuse early instead of buffering a body that is too large anyway.
    if (body_buffer_length > root.maxBodyBytes) {
      this.reject(
        413,
        "json_validation_too_large",
        "body larger than " + root.maxBodyBytes.toString() + " bytes",
      );
      return FilterDataStatus.StopIterationNoBuffer;
    }
    if (!end_of_stream) return FilterDataStatus.StopIterationAndBuffer;

    const text = stream_body.request.getString();
    const problem = text !== null ? this.check(text, root.requiredFields) : "body unavailable";
    if (problem !== null) {
      log(LogLevel.Info, "rejected: " + problem);
      this.reject(400, "json_validation_failed", problem);
      return FilterDataStatus.StopIterationNoBuffer;
    }
    return FilterDataStatus.Continue; // the whole checked body goes upstream
  }

  /** What is wrong with the body, or null when it is acceptable. */
  check(text: string, requiredFields: string[]): string | null {
    // Client input: tryParseJsonObject never traps and logs nothing; it checks the syntax and
    // builds the object in one pass over the text.
    const body = tryParseJsonObject(text);
    if (body === null) {
      const error = lastJsonError();
      return error == "expected a JSON object"
        ? "the body must be a JSON object"
        : "malformed JSON: " + error;
    }
    for (let i = 0; i < requiredFields.length; i++) {
      if (!body.has(requiredFields[i])) return "missing field: " + requiredFields[i];
    }
    return null;
  }

  /** Answers with a JSON error document. */
  reject(status: u32, details: string, message: string): void {
    const error = new JSON.Obj();
    error.set("error", message);
    this.sendLocalResponse(
      status,
      details,
      String.UTF8.encode(error.stringify()),
      makeHeaders(["content-type", "application/json"]),
    );
  }
}

registerRootContext((context_id: u32) => new JsonValidationRoot(context_id), "json_validation");
