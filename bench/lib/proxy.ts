// Dev proxy throughput: requests per second through `startDevProxy` (src/proxy) running the
// add_header filter, against a plain node:http forwarding proxy with no filter, both in front of
// the same upstream. Everything listens on 127.0.0.1; the load comes from a worker thread with a
// fixed number of keep-alive connections, for a fixed time and at most a fixed number of requests.
// The dev proxy runs as compiled JavaScript (src/proxy bundled by esbuild, as tsc's dist/ would
// run it), not through the bench's own TypeScript loader, whose keep-names wrappers would cost it
// a fifth of its time. The two proxies take turns in short runs and the figure is the median of
// the ratios of neighbouring runs, so a change in the machine's load hits both alike.
import { existsSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { ROOT } from "./build.js";
import { importCompiled } from "./compiled.js";
import { median } from "./measure.js";

export interface ProxyOptions {
  wasmPath: string;
  rootId: string;
  pluginConfig: string;
  /** Load duration per measurement, ms. */
  durationMs: number;
  /** Concurrent keep-alive connections of the load generator. */
  connections: number;
  /** Upper bound of requests per measurement. */
  maxRequests: number;
  /** Runs per proxy (alternating, the first one changing every pair); medians are reported. */
  repeats: number;
}

export interface ProxyResult {
  plainRps: number;
  devRps: number;
  /** Median over neighbouring pairs of runs of dev ÷ plain requests per second. */
  ratio: number;
  plainRuns: number[];
  devRuns: number[];
  errors: number;
  /** Whether the filter's header reached the client (checked once). */
  headerSeen: boolean;
}

const LOADGEN = `
const { parentPort, workerData } = require("node:worker_threads");
const http = require("node:http");
const { url, durationMs, connections, maxRequests } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
let done = 0, errors = 0, started = 0, active = 0, stop = false;
const t0 = process.hrtime.bigint();
setTimeout(() => { stop = true; }, durationMs);
function one() {
  if (stop || started >= maxRequests) {
    if (--active === 0) {
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      agent.destroy();
      parentPort.postMessage({ done, errors, seconds: s });
    }
    return;
  }
  started++;
  const req = http.get(url, { agent }, (res) => {
    res.resume();
    res.on("end", () => { if (res.statusCode === 200) done++; else errors++; one(); });
  });
  req.on("error", () => { errors++; one(); });
}
for (let i = 0; i < connections; i++) { active++; one(); }
`;

function load(
  url: string,
  o: ProxyOptions,
): Promise<{ done: number; errors: number; seconds: number }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(LOADGEN, {
      eval: true,
      workerData: {
        url,
        durationMs: o.durationMs,
        connections: o.connections,
        maxRequests: o.maxRequests,
      },
    });
    // Bounded even if a request never completes: give up 10 s after the load should have ended.
    const timer = setTimeout(() => {
      void w.terminate();
      reject(new Error(`load generator did not finish within ${o.durationMs + 10_000} ms`));
    }, o.durationMs + 10_000);
    w.once("message", (m) => {
      clearTimeout(timer);
      void w.terminate();
      resolve(m);
    });
    w.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    }),
  );
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A plain forwarding proxy: node:http in, node:http out (keep-alive), no filter. */
function plainProxy(upstream: string): http.Server {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  return http.createServer((req, res) => {
    const out = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    out.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  });
}

type DevProxy = { url: string; close(): Promise<void> | void };
type StartDevProxy = (options: Record<string, unknown>) => Promise<DevProxy> | DevProxy;

/** The dev proxy's library entry as compiled JavaScript (bench/lib/compiled.ts), or why not. */
export async function findDevProxy(): Promise<StartDevProxy | string> {
  if (!existsSync(join(ROOT, "src", "proxy", "index.ts")))
    return "src/proxy/index.ts does not exist yet";
  let mod: { startDevProxy?: StartDevProxy };
  try {
    mod = await importCompiled("src/proxy/index.ts", "proxy");
  } catch (e) {
    return `src/proxy/index.ts does not compile or load: ${(e as Error).message.split("\n")[0]}`;
  }
  if (typeof mod.startDevProxy !== "function") return "src/proxy/index.ts has no startDevProxy";
  return mod.startDevProxy;
}

function get(url: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      res.resume();
      res.on("end", () => resolve(res));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer from ${url} within 10 s`)));
    req.on("error", reject);
  });
}

export async function measureProxy(
  start: StartDevProxy,
  o: ProxyOptions,
): Promise<ProxyResult | string> {
  const body = Buffer.from("hello from upstream\n");
  const upstream = http.createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/plain", "content-length": body.length });
    res.end(body);
  });
  upstream.keepAliveTimeout = 60_000;
  const upstreamUrl = await listen(upstream);
  const plain = plainProxy(upstreamUrl);
  plain.keepAliveTimeout = 60_000;
  const plainUrl = await listen(plain);
  let dev: DevProxy | null = null;
  try {
    // src/proxy/types.ts DevProxyOptions; access lines are dropped (onLog), not printed.
    dev = await start({
      filters: [{ wasm: o.wasmPath, rootId: o.rootId, config: o.pluginConfig }],
      upstream: upstreamUrl,
      host: "127.0.0.1",
      port: 0,
      logLevel: "info",
      onLog: () => undefined,
    });
  } catch (e) {
    await close(plain);
    await close(upstream);
    return `startDevProxy failed: ${(e as Error).message.split("\n")[0]}`;
  }
  try {
    const probe = await get(dev.url);
    const headerSeen = probe.headers["hello"] !== undefined;
    // Warm-up: V8 compiles both proxies' paths (and the filter) before anything counts.
    await load(plainUrl, { ...o, durationMs: Math.min(1000, o.durationMs) });
    await load(dev.url, { ...o, durationMs: Math.min(1000, o.durationMs) });
    const plainRuns: number[] = [];
    const devRuns: number[] = [];
    const ratios: number[] = [];
    let errors = 0;
    for (let i = 0; i < o.repeats; i++) {
      const first = i % 2 === 0 ? plainUrl : dev.url;
      const a = await load(first, o);
      const b = await load(first === plainUrl ? dev.url : plainUrl, o);
      const [p, d] = first === plainUrl ? [a, b] : [b, a];
      plainRuns.push(p.done / p.seconds);
      devRuns.push(d.done / d.seconds);
      ratios.push(d.done / d.seconds / (p.done / p.seconds));
      errors += p.errors + d.errors;
    }
    return {
      plainRps: median(plainRuns),
      devRps: median(devRuns),
      ratio: median(ratios),
      plainRuns,
      devRuns,
      errors,
      headerSeen,
    };
  } catch (e) {
    return `dev proxy measurement failed: ${(e as Error).message.split("\n")[0]}`;
  } finally {
    await dev.close();
    await close(plain);
    await close(upstream);
  }
}
