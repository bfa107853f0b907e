// Helpers of the dev proxy tests: the test filters (built on demand), local upstreams, log
// capture, raw sockets.
import { existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import {
  startDevProxy,
  type DevProxy,
  type DevProxyLogEvent,
  type DevProxyOptions,
} from "../../src/proxy/index.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
export const repoRoot = root;

/** The default example (`npm run asbuild`): root_id add_header. */
export const ADD_HEADER = `${root}build/optimized.wasm`;

const FILTER_SRC = `${root}tests/proxy/filters/proxy_filters.ts`;
const FILTER_OUT = `${root}tests/proxy/build/proxy_filters.wasm`;

/**
 * tests/proxy/filters/proxy_filters.ts compiled (release), rebuilt when the source is newer.
 * Test files run in parallel processes, so each builds to its own temporary name and renames.
 */
export async function proxyFilters(): Promise<string> {
  if (!existsSync(ADD_HEADER)) throw new Error(`${ADD_HEADER} is missing: run npm run asbuild`);
  if (existsSync(FILTER_OUT) && statSync(FILTER_OUT).mtimeMs >= statSync(FILTER_SRC).mtimeMs) {
    return FILTER_OUT;
  }
  mkdirSync(`${root}tests/proxy/build`, { recursive: true });
  const tmp = `${FILTER_OUT}.${process.pid}.tmp.wasm`;
  const asc = (await import("assemblyscript/asc")).default;
  let errors = "";
  const { error } = await asc.main(
    [
      FILTER_SRC,
      "--config",
      `${root}asconfig.json`,
      "--target",
      "release",
      "--outFile",
      tmp,
      "--textFile",
      tmp.replace(/\.wasm$/, ".wat"),
    ],
    {
      stderr: { write: (s: string) => ((errors += s), true) },
      stdout: { write: () => true },
    } as never,
  );
  if (error) throw new Error(`building ${FILTER_SRC} failed:\n${errors || String(error)}`);
  renameSync(tmp, FILTER_OUT);
  return FILTER_OUT;
}

/** Collects the proxy's log lines. */
export function logSink(): {
  events: DevProxyLogEvent[];
  onLog: (e: DevProxyLogEvent) => void;
  lines(kind?: string): string[];
} {
  const events: DevProxyLogEvent[] = [];
  return {
    events,
    onLog: (e) => events.push(e),
    lines: (kind?: string) => events.filter((e) => !kind || e.kind === kind).map((e) => e.line),
  };
}

export interface TestServer {
  url: string;
  port: number;
  requests: { method: string; url: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 and a free port. */
export async function startServer(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => void,
): Promise<TestServer> {
  const requests: TestServer["requests"] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Sends raw bytes and resolves with everything the server answers before closing (≤ 5 s). */
export function rawExchange(port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1");
    let out = "";
    socket.setTimeout(5000, () => {
      socket.destroy();
      resolve(out);
    });
    socket.on("connect", () => socket.write(data));
    socket.on("data", (d) => (out += d.toString("latin1")));
    socket.on("end", () => resolve(out));
    socket.on("close", () => resolve(out));
    socket.on("error", reject);
  });
}

/** Reads a request body fully. */
export function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on("data", (c: Buffer) => parts.push(c));
    req.on("end", () => resolve(Buffer.concat(parts)));
    req.on("error", reject);
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a proxy (no filters unless given), runs `f`, always closes it and the given servers. */
export async function withProxy(
  options: Partial<DevProxyOptions>,
  f: (proxy: DevProxy, logs: ReturnType<typeof logSink>) => Promise<void>,
  servers: TestServer[] = [],
): Promise<void> {
  const logs = logSink();
  const proxy = await startDevProxy({ filters: [], port: 0, onLog: logs.onLog, ...options });
  try {
    await f(proxy, logs);
  } finally {
    await proxy.close();
    for (const s of servers) await s.close();
  }
}
