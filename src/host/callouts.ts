// HTTP callouts (proxy_http_call): validated as Envoy `context.cc` httpCall does, kept pending
// until the test (or the dev proxy) answers, then delivered to the calling root context as
// proxy_on_http_call_response(root_id, token, n_headers, body_size, n_trailers).
import { BufferType, HeaderMapType, WasmResult } from "./enums.js";
import { HeaderMap, type HeadersInit } from "./header_map.js";
import type { Pair } from "./pairs.js";
import type { RootContext } from "./root_context.js";
import type { Host } from "./host.js";

/** A pending proxy_http_call. */
export interface HttpCallout {
  token: number;
  /** The upstream cluster name. */
  cluster: string;
  headers: HeaderMap;
  body: Buffer;
  trailers: HeaderMap;
  /** Timeout in milliseconds; 0 = none. */
  timeoutMs: number;
  /** Same as `timeoutMs`. */
  timeout: number;
  /** When it was sent, on the virtual monotonic clock (ms). */
  sentAt: number;
  /** The plugin (root context) that made the call and gets the response. */
  plugin: RootContext;
}

/** A callout response: `status` defaults to 200 unless `headers` has `:status`. */
export interface CalloutResponse {
  status?: number;
  headers?: HeadersInit;
  body?: string | Uint8Array;
  trailers?: HeadersInit;
}

export class Callouts {
  /** Calls not answered yet, in the order they were made. */
  readonly pending: HttpCallout[] = [];

  constructor(private readonly host: Host) {}

  /** @internal the hostcall side. */
  httpCall(
    root: RootContext,
    cluster: string,
    headerPairs: Pair[],
    body: Buffer,
    trailerPairs: Pair[],
    timeoutMs: number,
  ): { result: WasmResult; token?: number } {
    if (!this.host.knowsCluster(cluster)) return { result: WasmResult.BadArgument };
    const headers = new HeaderMap(headerPairs);
    if (!headers.has(":path") || !headers.has(":method") || !headers.has(":authority")) {
      return { result: WasmResult.BadArgument };
    }
    // Read as a signed int by Envoy: 2^31 and above is rejected.
    if (timeoutMs >= 2 ** 31) return { result: WasmResult.BadArgument };
    if (body.length > 0) headers.set("content-length", String(body.length));
    const vm = root.vm;
    vm.nextHttpCallToken += 4;
    const c: HttpCallout = {
      token: vm.nextHttpCallToken,
      cluster,
      headers,
      body,
      trailers: new HeaderMap(trailerPairs),
      timeoutMs,
      timeout: timeoutMs,
      sentAt: this.host.clock.monotonic(),
      plugin: root,
    };
    this.pending.push(c);
    this.host.onHttpCall?.(c);
    return { result: WasmResult.Ok, token: c.token };
  }

  /** @internal */
  find(token: number | HttpCallout): HttpCallout | undefined {
    if (typeof token !== "number") return this.pending.includes(token) ? token : undefined;
    return this.pending.find((c) => c.token === token);
  }

  /** @internal delivers a response, or "reset" as the failure (token, 0, 0, 0). */
  respond(token: number | HttpCallout, response: CalloutResponse | "reset"): void {
    const c = this.find(token);
    if (!c)
      throw new Error(
        `no pending http callout with token ${typeof token === "number" ? token : token.token}`,
      );
    this.pending.splice(this.pending.indexOf(c), 1);
    const root = c.plugin;
    if (root.state === "deleted") return;
    if (response === "reset") {
      root.status = { code: WasmResult.BrokenConnection, message: "reset" };
      root.vm.call(root, "proxy_on_http_call_response", root.id, c.token, 0, 0, 0);
      return;
    }
    const headers = new HeaderMap(response.headers);
    if (!headers.has(":status")) {
      const list = headers.entries();
      headers.clear();
      headers.add(":status", String(response.status ?? 200));
      for (const [k, v] of list) headers.add(k, v);
    }
    const body =
      typeof response.body === "string"
        ? Buffer.from(response.body)
        : Buffer.from(response.body ?? new Uint8Array());
    const trailers = new HeaderMap(response.trailers);
    root.status = { code: WasmResult.Ok, message: "" };
    root.calloutData = {
      maps: new Map([
        [HeaderMapType.HttpCallResponseHeaders, headers],
        [HeaderMapType.HttpCallResponseTrailers, trailers],
      ]),
      buffer: { type: BufferType.HttpCallResponseBody, data: body },
    };
    try {
      root.vm.call(
        root,
        "proxy_on_http_call_response",
        root.id,
        c.token,
        headers.size,
        body.length,
        trailers.size,
      );
    } finally {
      root.calloutData = null;
    }
  }

  /** @internal callouts whose timeout passed get Envoy's 504 "upstream request timeout". */
  expire(now: number): void {
    for (const c of [...this.pending]) {
      if (c.timeoutMs > 0 && now >= c.sentAt + c.timeoutMs) {
        this.respond(c, { status: 504, body: "upstream request timeout" });
      }
    }
  }
}
