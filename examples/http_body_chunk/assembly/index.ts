// http_body_chunk: rewrite a response body while it streams through, chunk by chunk. Each chunk
// is changed and passed on at once (Continue), so Envoy buffers nothing and bodies of any size
// flow with constant memory. The only thing kept between chunks is a tail shorter than the
// word, which might be the start of a word that the next chunk completes.
//
// Configuration (JSON): {"from": "cat", "to": "dog"}.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterDataStatus,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  isLogEnabled,
  log,
  parseJsonObject,
  registerRootContext,
  responseBody,
  responseHeaders,
} from "proxy-wasm-as";

class BodyChunkRoot extends RootContext {
  // Bytes, not strings: a chunk may end in the middle of a UTF-8 character.
  from: Uint8Array = new Uint8Array(0);
  to: Uint8Array = new Uint8Array(0);

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
    const config = parseJsonObject(this.getConfiguration(), "http_body_chunk configuration");
    if (config === null) return false;
    const from = config.getString("from");
    const to = config.getString("to");
    if (from === null || from.valueOf() == "" || to === null) {
      log(
        LogLevel.Error,
        'http_body_chunk configuration needs a non-empty "from" and a "to" string',
      );
      return false;
    }
    this.from = Uint8Array.wrap(String.UTF8.encode(from.valueOf()));
    this.to = Uint8Array.wrap(String.UTF8.encode(to.valueOf()));
    return true;
  }

  createContext(contextId: u32): Context {
    return new BodyChunk(contextId, this);
  }
}

class BodyChunk extends Context {
  /** The end of the previous chunk that could still be the start of `from`. */
  carry: Uint8Array = new Uint8Array(0);
  chunks: u32 = 0;
  rewriting: bool = true;

  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const headers = responseHeaders;
    // gRPC bodies end with trailers, not with an endOfStream chunk that could flush the carried
    // bytes, and their framing must not change: leave them alone.
    const contentType = headers.get("content-type");
    if (contentType !== null && contentType.startsWith("application/grpc")) {
      this.rewriting = false;
      return FilterHeadersStatus.Continue;
    }
    // The body's length may change, so it is sent chunked.
    if (!endOfStream) headers.remove("content-length");
    return FilterHeadersStatus.Continue;
  }

  onResponseBody(bodyBufferLength: usize, endOfStream: bool): FilterDataStatus {
    if (!this.rewriting) return FilterDataStatus.Continue;
    const chunk = responseBody.get();
    if (chunk === null) return FilterDataStatus.Continue;
    const root = this.rootContext as BodyChunkRoot;
    const from = root.from;
    const to = root.to;

    // Search the carried tail and this chunk as one run of bytes.
    const input = new Uint8Array(this.carry.length + chunk.byteLength);
    input.set(this.carry);
    input.set(Uint8Array.wrap(chunk), this.carry.length);

    const out = new Uint8Array(input.length + (input.length / from.length + 1) * to.length);
    let written = 0;
    let i = 0;
    while (i + from.length <= input.length) {
      if (matchesAt(input, i, from)) {
        out.set(to, written);
        written += to.length;
        i += from.length;
      } else {
        out[written++] = input[i++];
      }
    }
    // Fewer bytes than the word are left. Those that could begin the word wait for the next
    // chunk (unless this is the last one); the others go out now.
    let keep = endOfStream ? input.length : i;
    while (keep < input.length && !startsWord(input, keep, from)) keep++;
    while (i < keep) out[written++] = input[i++];
    this.carry = input.slice(keep);

    responseBody.replace(out.slice(0, written).buffer);
    this.chunks++;
    if (isLogEnabled(LogLevel.Debug)) {
      log(
        LogLevel.Debug,
        "chunk " +
          this.chunks.toString() +
          ": " +
          chunk.byteLength.toString() +
          " bytes in, " +
          written.toString() +
          " out",
      );
    }
    return FilterDataStatus.Continue;
  }
}

function matchesAt(data: Uint8Array, at: i32, word: Uint8Array): bool {
  for (let j = 0; j < word.length; j++) {
    if (data[at + j] != word[j]) return false;
  }
  return true;
}

/** True when the bytes from `at` to the end of `data` are the first bytes of `word`. */
function startsWord(data: Uint8Array, at: i32, word: Uint8Array): bool {
  return matchesAt(data.subarray(at), 0, word.subarray(0, data.length - at));
}

registerRootContext((contextId: u32) => new BodyChunkRoot(contextId), "http_body_chunk");
