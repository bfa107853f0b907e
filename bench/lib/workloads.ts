// The five workloads, host side: what one request is (context create → request headers →
// response headers [→ body] → log → done → delete, through the emulator's HttpContext), the
// plugin configuration, and a check that the filter really did its job.
import type { Host, LoadOptions } from "../../src/host/index.js";

export type WorkloadName =
  "add_header" | "header_heavy" | "body_rewrite" | "json_config" | "http_callout";

export interface Workload {
  name: WorkloadName;
  /** One line for RESULTS.md. */
  description: string;
  load: LoadOptions;
  /** One complete request. */
  request(host: Host): void;
  /** Runs one request and says what is wrong with the result, or null. */
  check(host: Host): string | null;
  /** Requests per timed round. */
  perRound: number;
  /** Requests for the memory figure (our SDK and the limit). */
  memoryRequests: number;
  /** Requests for the memory figure of the other SDKs. */
  foreignMemoryRequests: number;
  /** Collect the bench's garbage between timed slots (bench/lib/measure.ts). */
  collectBetweenSlots?: boolean;
}

const SMALL_REQUEST: [string, string][] = [
  [":method", "GET"],
  [":path", "/"],
  [":authority", "example.com"],
  [":scheme", "http"],
  ["user-agent", "bench"],
];
const RESPONSE: [string, string][] = [
  [":status", "200"],
  ["content-type", "text/plain"],
];

// 24 request headers; the filter reads 20 names (one absent) and writes 5.
const HEAVY_REQUEST: [string, string][] = [
  [":method", "POST"],
  [":path", "/api/v1/orders?limit=20"],
  [":authority", "shop.example.com"],
  [":scheme", "https"],
  ["user-agent", "Mozilla/5.0 (X11; Linux x86_64) bench/1.0"],
  ["accept", "application/json"],
  ["accept-encoding", "gzip, deflate, br"],
  ["accept-language", "en-US,en;q=0.9"],
  ["cache-control", "no-cache"],
  ["content-type", "application/json"],
  ["cookie", "session=0123456789abcdef; theme=dark"],
  ["referer", "https://shop.example.com/cart"],
  ["x-request-id", "6f1c2b9e-0d3a-4d8e-9a43-7a1f0b2c3d4e"],
  ["x-forwarded-for", "203.0.113.7, 10.0.0.1"],
  ["x-forwarded-proto", "http"],
  ["x-b3-traceid", "80f198ee56343ba864fe8b2a57d3eff7"],
  ["x-b3-spanid", "e457b5a2e4d86bd1"],
  ["x-tenant", "acme"],
  ["x-api-key", "k-1234567890"],
  ["content-length", "0"],
  ["x-envoy-attempt-count", "1"],
  ["x-extra-1", "1"],
  ["x-extra-2", "2"],
  ["x-extra-3", "3"],
];
const HEAVY_READ = [
  ":method", ":path", ":authority", ":scheme", "user-agent",
  "accept", "accept-encoding", "accept-language", "cache-control", "content-type",
  "cookie", "referer", "x-request-id", "x-forwarded-for", "x-forwarded-proto",
  "x-b3-traceid", "x-b3-spanid", "x-tenant", "x-api-key", "x-missing",
]; // prettier-ignore
const HEAVY_TOTAL = HEAVY_READ.reduce(
  (n, k) => n + (HEAVY_REQUEST.find(([name]) => name === k)?.[1].length ?? 0),
  0,
);

export const BODY_BYTES = 1 << 20;
export const BODY_CHUNK = 64 << 10;
const BODY_CHUNKS: Buffer[] = [];
{
  const text = "the quick brown fox jumps over the lazy dog 0123456789\n";
  const all = Buffer.alloc(BODY_BYTES);
  for (let i = 0; i < BODY_BYTES; i++) all[i] = text.charCodeAt(i % text.length);
  for (let i = 0; i < BODY_BYTES; i += BODY_CHUNK)
    BODY_CHUNKS.push(all.subarray(i, i + BODY_CHUNK));
}
const BODY_EXPECTED = Buffer.concat(BODY_CHUNKS).toString("latin1").toUpperCase();

/** A plugin configuration of about 2 KB: the header to add and some rules to parse. */
export const JSON_CONFIG = JSON.stringify({
  header: "x-config",
  value: "from-json",
  rules: Array.from({ length: 16 }, (_, i) => ({
    name: `rule-${i}`,
    match: { prefix: `/api/v${i}/`, methods: ["GET", "POST"], headers: { "x-tenant": "acme" } },
    weight: i * 1.5,
    enabled: i % 2 === 0,
  })),
});

// Envoy's default log level, and the one cluster the callout workload calls. Every plugin gets
// a non-empty configuration: @solo-io/proxy-runtime 0.1.8 traps in onConfigure on an empty one
// (it passes the configuration size where the host expects the address of the size).
const common = { logLevel: "info" as const, clusters: ["auth"] };

function plain(host: Host, request: [string, string][]) {
  const http = host.newHttpContext();
  http.requestHeaders(request, { endOfStream: true });
  http.responseHeaders(RESPONSE, { endOfStream: true });
  http.complete();
  return http;
}

export const WORKLOADS: Workload[] = [
  {
    name: "add_header",
    description: "adds `hello: world!` to the response headers",
    load: { ...common, rootId: "add_header", pluginConfig: "world!" },
    request: (host) => void plain(host, SMALL_REQUEST),
    check(host) {
      const got = plain(host, SMALL_REQUEST).response.headers.get("hello");
      return got === "world!" ? null : `hello: ${got}`;
    },
    perRound: 4_000,
    memoryRequests: 300_000,
    foreignMemoryRequests: 100_000,
  },
  {
    name: "header_heavy",
    description: "reads 20 of 24 request headers (one absent), writes 5",
    load: { ...common, rootId: "header_heavy", pluginConfig: "bench" },
    request: (host) => void plain(host, HEAVY_REQUEST),
    check(host) {
      const h = plain(host, HEAVY_REQUEST).request.headers;
      const total = h.get("x-bench-total");
      if (total !== String(HEAVY_TOTAL)) return `x-bench-total: ${total} (want ${HEAVY_TOTAL})`;
      if (h.get("x-forwarded-proto") !== "https") return "x-forwarded-proto not replaced";
      if (h.get("x-bench-3") !== "three") return "x-bench-3 missing";
      return null;
    },
    perRound: 500,
    memoryRequests: 50_000,
    foreignMemoryRequests: 10_000,
  },
  {
    name: "body_rewrite",
    description: `upper-cases a 1 MiB response body arriving in ${BODY_BYTES / BODY_CHUNK} chunks of 64 KiB`,
    load: { ...common, rootId: "body_rewrite", pluginConfig: "bench" },
    request(host) {
      const http = host.newHttpContext();
      http.requestHeaders(SMALL_REQUEST, { endOfStream: true });
      http.responseHeaders(RESPONSE);
      const last = BODY_CHUNKS.length - 1;
      for (let i = 0; i <= last; i++)
        http.responseBody(BODY_CHUNKS[i], { endOfStream: i === last });
      http.complete();
    },
    check(host) {
      const http = host.newHttpContext();
      http.requestHeaders(SMALL_REQUEST, { endOfStream: true });
      http.responseHeaders(RESPONSE);
      const last = BODY_CHUNKS.length - 1;
      for (let i = 0; i <= last; i++)
        http.responseBody(BODY_CHUNKS[i], { endOfStream: i === last });
      http.complete();
      const body = http.response.body.toString("latin1");
      if (body.length !== BODY_BYTES) return `body length ${body.length}`;
      return body === BODY_EXPECTED ? null : "body not upper-cased";
    },
    perRound: 16,
    collectBetweenSlots: true,
    memoryRequests: 500,
    foreignMemoryRequests: 100,
  },
  {
    name: "json_config",
    description: "parses a 2 KB JSON plugin configuration at configure; adds the header it names",
    load: { ...common, rootId: "json_config", pluginConfig: JSON_CONFIG },
    request: (host) => void plain(host, SMALL_REQUEST),
    check(host) {
      const got = plain(host, SMALL_REQUEST).response.headers.get("x-config");
      return got === "from-json" ? null : `x-config: ${got}`;
    },
    perRound: 4_000,
    memoryRequests: 100_000,
    foreignMemoryRequests: 50_000,
  },
  {
    name: "http_callout",
    description: "pauses each request on one HTTP callout, copies a header of the reply, resumes",
    load: { ...common, rootId: "http_callout", pluginConfig: "bench" },
    request(host) {
      callout(host);
    },
    check(host) {
      const http = callout(host);
      const got = http.request.headers.get("x-auth");
      if (got !== "allow") return `x-auth: ${got}`;
      return http.state === "completed" ? null : `state ${http.state}`;
    },
    perRound: 1_500,
    memoryRequests: 100_000,
    foreignMemoryRequests: 25_000,
  },
];

const CALLOUT_REPLY = { status: 200, headers: { "x-auth": "allow" }, body: "ok" };

function callout(host: Host) {
  const http = host.newHttpContext();
  http.requestHeaders(SMALL_REQUEST, { endOfStream: true });
  const pending = host.calloutStore.pending;
  if (pending.length > 0) host.respondToCallout(pending[pending.length - 1], CALLOUT_REPLY);
  http.responseHeaders(RESPONSE, { endOfStream: true });
  http.complete();
  return http;
}
