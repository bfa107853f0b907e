// One direction (request or response) of an HTTP stream: what arrived, what the filter can see,
// what Envoy holds back, and what has been forwarded.
import { GrowableBuffer } from "./growable_buffer.js";
import { HeaderMap } from "./header_map.js";

export type StreamEvent =
  | { kind: "headers"; eos: boolean }
  | { kind: "data"; chunk: Buffer; eos: boolean }
  | { kind: "trailers" };

/** Why a direction is stopped: which callback returned Stop, and whether it stops everything. */
export type PauseState = "none" | "headers-all" | "headers" | "body" | "trailers";

const EMPTY = Buffer.alloc(0);

export class HttpMessage {
  /** @internal headers as received and changed by the filter. */ headersMap: HeaderMap | null =
    null;
  /** @internal */ trailersMap: HeaderMap | null = null;
  /** @internal Envoy's request_headers_ pointer is set (cleared when on_*_headers returns Continue). */
  headersLive = false;
  /** @internal */ trailersLive = false;
  /** @internal trailers were added by the filter from the end_of_stream body callback. */
  trailersAdded = false;
  /** @internal the chunk of the body callback in progress (unbuffered mode). */ current: Buffer | null =
    null;
  /** @internal bytes Envoy holds back (stopped body), appended without re-copying. */
  readonly heldBytes = new GrowableBuffer();
  /** @internal the held bytes as one Buffer (a view, no copy). */
  get held(): Buffer {
    return this.heldBytes.bytes();
  }
  set held(data: Buffer) {
    this.heldBytes.replace(data);
  }
  /** @internal the previous body callback returned StopIterationAndBuffer. */ buffering = false;
  /** @internal body callback in progress, and its end_of_stream. */ inBody: {
    eos: boolean;
  } | null = null;
  /** @internal events received while stopped. */ readonly queue: StreamEvent[] = [];
  /** @internal */ pause: PauseState = "none";
  /** @internal */ headersEos = false;
  /** @internal the last body chunk given to the filter had end_of_stream. */ lastBodyEos = false;
  /** @internal */ headersReceived = false;
  /** @internal body bytes received from the peer (property request.size). */ bytesReceived = 0;
  /** @internal the caller's chunks in use without a copy (see HttpContext.receiveData). */
  readonly borrowed: Buffer[] = [];
  /** @internal body bytes in `queue` (received while the headers are stopped). */ queuedBytes = 0;
  /** @internal the headers callback answered StopAllIterationAndBuffer (not …Watermark). */
  stopAllBuffer = false;
  /** @internal the listener was told the queued bytes passed the buffer limit (high watermark). */
  aboveWatermark = false;
  /**
   * @internal keep every forwarded chunk (for `body`, `bodyChunks`, `text()`). The dev proxy
   * turns it off: a forwarded chunk is then released at once, as in Envoy.
   */
  retainBody = true;
  private readonly chunks: Buffer[] = [];
  private forwardedBytes = 0;
  /** Headers have been passed on (upstream for a request, downstream for a response). */
  headersForwarded = false;
  /** Trailers have been passed on. */
  trailersForwarded = false;
  /** The end of stream has been passed on. */
  ended = false;

  constructor(readonly direction: "request" | "response") {}

  /** The headers (after the filter's changes); empty before they arrive. */
  get headers(): HeaderMap {
    return this.headersMap ?? new HeaderMap();
  }

  /** The trailers (received or added by the filter); empty if none. */
  get trailers(): HeaderMap {
    return this.trailersMap ?? new HeaderMap();
  }

  /**
   * The body bytes forwarded so far (empty when the host keeps no forwarded body:
   * `retainForwardedBody: false`).
   */
  get body(): Buffer {
    return Buffer.concat(this.chunks);
  }

  /** The forwarded body as UTF-8. */
  text(): string {
    return this.body.toString("utf8");
  }

  /** Each forwarded body chunk, in order. */
  get bodyChunks(): Buffer[] {
    return [...this.chunks];
  }

  /** How many body bytes have been forwarded, kept or not. */
  get bodyBytesForwarded(): number {
    return this.forwardedBytes;
  }

  /** How many forwarded chunks (and bytes) this side still holds: 0 when it keeps none. */
  get retained(): { chunks: number; bytes: number } {
    let bytes = 0;
    for (const c of this.chunks) bytes += c.length;
    return { chunks: this.chunks.length, bytes };
  }

  /** Body bytes held back because the filter stopped (buffered, not yet forwarded). */
  get pendingBody(): Buffer {
    return Buffer.concat([this.held, this.current ?? EMPTY]);
  }

  /** The filter stopped this direction and has not continued it yet. */
  get paused(): boolean {
    return this.pause !== "none" || this.queue.length > 0;
  }

  /** @internal */
  pushChunk(b: Buffer): void {
    this.forwardedBytes += b.length;
    if (this.retainBody) this.chunks.push(b);
  }
}
