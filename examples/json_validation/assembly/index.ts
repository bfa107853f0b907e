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
  jsonSyntaxError,
  log,
  makeHeaders,
  parseJsonObject,
  registerRootContext,
  requestBody,
  requestHeaders,
  tryParseJsonObject,
} from "proxy-wasm-as";

class JsonValidationRoot extends RootContext {
  requiredFields: string[] = [];
  maxBodyBytes: usize = 65536;

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
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

  createContext(contextId: u32): Context {
    return new JsonValidation(contextId, this);
  }
}

class JsonValidation extends Context {
  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    if (endOfStream) return FilterHeadersStatus.Continue; // no body to check
    const type = requestHeaders.get("content-type");
    if (type === null || !type.startsWith("application/json")) {
      this.reject(415, "json_validation_content_type", "content-type must be application/json");
      return FilterHeadersStatus.StopIteration;
    }
    // The headers may go on: Envoy would not call onRequestBody for a stream whose headers are
    // stopped. If the body fails the check, the local reply below resets the upstream request
    // before it got any body.
    return FilterHeadersStatus.Continue;
  }

  onRequestBody(bodyBufferLength: usize, endOfStream: bool): FilterDataStatus {
    const root = this.rootContext as JsonValidationRoot;
    // Refuse early instead of buffering a body that is too large anyway.
    if (bodyBufferLength > root.maxBodyBytes) {
      this.reject(
        413,
        "json_validation_too_large",
        "body larger than " + root.maxBodyBytes.toString() + " bytes",
      );
      return FilterDataStatus.StopIterationNoBuffer;
    }
    if (!endOfStream) return FilterDataStatus.StopIterationAndBuffer;

    const text = requestBody.getString();
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
      const error = jsonSyntaxError(text);
      return error === null ? "the body must be a JSON object" : "malformed JSON: " + error;
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

registerRootContext((contextId: u32) => new JsonValidationRoot(contextId), "json_validation");
