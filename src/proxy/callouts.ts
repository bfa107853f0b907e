// proxy_http_call answered for real: the callout goes to an endpoint of the named cluster, and
// the reply (or a failure) reaches the filter when it arrives, as Envoy's async client does.
import http from "node:http";
import https from "node:https";
import { performance } from "node:perf_hooks";
import type { FilterChain } from "./chain.js";
import { rawPairs, toWire, trailerObject, wirePairs } from "./headers.js";
import type { CalloutResponse, HttpCallout, Pair } from "../host/index.js";
import type { Cluster } from "./routes.js";
import type { DevProxyLogEvent } from "./types.js";

/** Envoy's async client buffers the whole reply; beyond this it fails the call. */
const MAX_CALLOUT_BODY = 64 * 1024 * 1024;

export interface CalloutContext {
  /** The chain of the plugin that made the callout. */
  chain(): FilterChain | null;
  clusters: Map<string, Cluster>;
  agents: { http: http.Agent; https: https.Agent };
  log(e: DevProxyLogEvent): void;
}

export function startCallout(c: HttpCallout, ctx: CalloutContext): void {
  const started = performance.now();
  const method = c.headers.get(":method") ?? "GET";
  const path = c.headers.get(":path") ?? "/";
  const label = `${method} ${c.cluster}${path}`;
  let done = false;
  let timer: NodeJS.Timeout | null = null;

  const deliver = (response: CalloutResponse | "reset", what: string): void => {
    if (done) return;
    done = true;
    if (timer) clearTimeout(timer);
    ctx.log({
      kind: "proxy",
      level: "info",
      line: `[callout] ${label} → ${what} ${(performance.now() - started).toFixed(1)}ms (token ${c.token}, ${c.plugin.pluginName || c.plugin.rootId || "plugin"})`,
    });
    // Let the current VM call (the one that made the callout) finish first.
    setImmediate(() => {
      const chain = ctx.chain();
      if (!chain) return;
      try {
        chain.sync();
        // The emulator may have answered already (a timeout seen on its clock).
        if (chain.host.callouts.includes(c)) chain.host.respondToCallout(c, response);
      } catch (err) {
        ctx.log({
          kind: "proxy",
          level: "error",
          line: `[error] proxy: delivering the callout reply failed: ${(err as Error).message}`,
        });
      }
      chain.reschedule();
    });
  };

  const cluster = ctx.clusters.get(c.cluster);
  if (!cluster) {
    deliver("reset", "no such cluster");
    return;
  }
  const ep = cluster.pick();
  const headers = wirePairs(c.headers.entries(), () => undefined);
  headers.unshift("host", toWire(c.headers.get(":authority") ?? ep.authority));
  const isHttps = ep.protocol === "https:";
  const req = (isHttps ? https : http).request({
    host: ep.hostname,
    port: ep.port,
    method,
    path: ep.basePath + path,
    headers,
    agent: isHttps ? ctx.agents.https : ctx.agents.http,
    servername: isHttps ? ep.hostname : undefined,
  });
  if (c.timeoutMs > 0) {
    timer = setTimeout(() => {
      req.destroy();
      // Envoy's async client: the router's local reply for its timeout, as a response.
      deliver(
        {
          status: 504,
          headers: [["content-type", "text/plain"]],
          body: "upstream request timeout",
        },
        "504 (timeout)",
      );
    }, c.timeoutMs);
    timer.unref();
  }
  req.on("response", (res) => {
    const parts: Buffer[] = [];
    let size = 0;
    res.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_CALLOUT_BODY) {
        res.destroy();
        deliver("reset", "reset (reply too large)");
        return;
      }
      parts.push(chunk);
    });
    res.on("end", () => {
      const head: Pair[] = [
        [":status", String(res.statusCode ?? 502)],
        ...rawPairs(res.rawHeaders),
      ];
      deliver(
        { headers: head, body: Buffer.concat(parts), trailers: rawPairs(res.rawTrailers) },
        String(res.statusCode),
      );
    });
    res.on("close", () => {
      if (!res.complete) deliver("reset", "reset");
    });
  });
  req.on("error", (err) => {
    const code = (err as NodeJS.ErrnoException).code ?? err.message;
    // Envoy's router answers a connection failure with a 503 local reply.
    deliver(
      {
        status: 503,
        headers: [["content-type", "text/plain"]],
        body: `upstream connect error or disconnect/reset before headers. reset reason: connection failure (${code})`,
      },
      `503 (${code})`,
    );
  });
  if (c.trailers.size > 0) {
    req.addTrailers(trailerObject(c.trailers.entries()));
  }
  req.end(c.body);
}
