// The dev proxy: a real HTTP server on 127.0.0.1 that passes every request through Proxy-Wasm
// filters run by the host emulator, then on to an upstream (the built-in echo server by default).
import { unwatchFile, watchFile, type Stats } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { resolve } from "node:path";
import { startCallout } from "./callouts.js";
import { FilterChain } from "./chain.js";
import { GrpcClient } from "./grpc.js";
import { startEchoServer, type EchoServer } from "./echo.js";
import { Exchange, connectionInfo, type ConnectionInfo, type ProxyCore } from "./exchange.js";
import { Router, makeClusters } from "./routes.js";
import type { ClusterOptions, DevProxy, DevProxyLogEvent, DevProxyOptions } from "./types.js";

export type {
  AccessRecord,
  ClusterOptions,
  DevProxy,
  DevProxyLogEvent,
  DevProxyOptions,
  FilterOptions,
  RouteOptions,
} from "./types.js";
export { startEchoServer, type EchoServer } from "./echo.js";
export { parseEnvoyConfig, loadEnvoyConfig, type EnvoyConfig } from "./envoy.js";
export { formatAccess } from "./exchange.js";

/** Prints access lines on stdout and everything else on stderr. */
export function printLog(e: DevProxyLogEvent): void {
  if (e.kind === "access") process.stdout.write(`${e.line}\n`);
  else process.stderr.write(`${e.line}\n`);
}

/** The status line for a malformed request, by llhttp error code. */
function clientErrorResponse(code: string | undefined): string {
  const [status, reason] =
    code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large"]
      : code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout"]
        : [400, "Bad Request"];
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`;
}

/**
 * Starts the dev proxy. Resolves once it listens; `close()` stops it (and the echo upstream).
 * @throws when a filter fails to load or start (LoadError / StartError), or the port is taken.
 */
export async function startDevProxy(options: DevProxyOptions): Promise<DevProxy> {
  const log = options.onLog ?? printLog;
  const listenHost = options.host ?? "127.0.0.1";
  let echo: EchoServer | null = null;
  const clusterDefs: Record<string, ClusterOptions> = { ...(options.clusters ?? {}) };
  const autoHost = new Set<string>();
  if (options.upstream === "echo") {
    echo = await startEchoServer("127.0.0.1", 0);
    clusterDefs.upstream = echo.url;
  } else if (options.upstream !== undefined) {
    clusterDefs.upstream = options.upstream;
    autoHost.add("upstream");
  } else if (!options.routes && clusterDefs.upstream === undefined) {
    echo = await startEchoServer("127.0.0.1", 0);
    clusterDefs.upstream = echo.url;
  }
  const agents = {
    http: new http.Agent({ keepAlive: true, maxFreeSockets: 256 }),
    https: new https.Agent({ keepAlive: true, maxFreeSockets: 256 }),
  };
  let grpc: GrpcClient | null = null;
  const watchers: (() => void)[] = [];
  const cleanup = async (): Promise<void> => {
    for (const stop of watchers) stop();
    grpc?.close();
    agents.http.destroy();
    agents.https.destroy();
    if (echo) await echo.close();
  };

  let core: ProxyCore;
  let buildChain: () => Promise<FilterChain | null>;
  try {
    const clusters = makeClusters(clusterDefs);
    const g = new GrpcClient({ clusters, log });
    grpc = g;
    const router = new Router(options.routes ?? [{ prefix: "/", cluster: "upstream" }]);
    for (const r of router.routes) {
      if (!clusters.has(r.cluster)) {
        log({
          kind: "proxy",
          level: "warn",
          line: `[warn] proxy: a route names cluster "${r.cluster}", which is not defined (requests get 503)`,
        });
      }
    }
    const connections = new WeakMap<Socket, ConnectionInfo>();
    let nextId = 1;
    core = {
      chain: null,
      router,
      clusters,
      agents,
      log,
      autoHostClusters: autoHost,
      connection(socket) {
        let info = connections.get(socket);
        if (info === undefined) connections.set(socket, (info = connectionInfo(socket, nextId++)));
        return info;
      },
    };
    buildChain = async () => {
      if (options.filters.length === 0 && (options.services ?? []).length === 0) return null;
      const chain = await FilterChain.create(
        options.filters,
        {
          clusters: [...clusters.keys()],
          logLevel: options.logLevel ?? "info",
          bufferLimit: options.bufferLimit === 0 ? Infinity : (options.bufferLimit ?? 1024 * 1024),
          baseDir: options.baseDir ?? process.cwd(),
          log,
          onHttpCall: (c, chainOf) => startCallout(c, { chain: chainOf, clusters, agents, log }),
          onGrpcCall: (c, chainOf) => g.start(c, chainOf),
        },
        options.services,
      );
      chain.afterOp = () => g.flush();
      return chain;
    };
    core.chain = await buildChain();
  } catch (err) {
    await cleanup();
    throw err;
  }

  if (options.watch) {
    const files = [...options.filters, ...(options.services ?? [])]
      .map((f) => f.wasm)
      .filter((w): w is string => typeof w === "string")
      .map((w) => resolve(options.baseDir ?? process.cwd(), w));
    let timer: NodeJS.Timeout | null = null;
    let loading = false;
    const reloadAll = async () => {
      if (loading) {
        timer = setTimeout(() => void reloadAll(), 200);
        return;
      }
      loading = true;
      try {
        const next = await buildChain();
        const old = core.chain;
        core.chain = next;
        old?.retire();
        log({
          kind: "proxy",
          level: "info",
          line: `[info] proxy: a filter changed on disk; new requests use the new build (fresh VMs)`,
        });
      } catch (err) {
        log({
          kind: "proxy",
          level: "error",
          line: `[error] proxy: a filter changed on disk but does not load; still serving the previous build: ${(err as Error).message}`,
        });
      } finally {
        loading = false;
      }
    };
    for (const file of new Set(files)) {
      const onChange = (cur: Stats, prev: Stats) => {
        if (cur.mtimeMs === prev.mtimeMs || cur.size === 0) return;
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => void reloadAll(), 300);
      };
      watchFile(file, { interval: 250, persistent: false }, onChange);
      watchers.push(() => unwatchFile(file, onChange));
    }
    watchers.push(() => {
      if (timer) clearTimeout(timer);
    });
  }

  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    const start = () => new Exchange(core, req, res).start();
    const chain = core.chain;
    if (chain?.needsReload()) {
      req.pause();
      chain.reload().then(start, (err: unknown) => {
        log({ kind: "proxy", level: "error", line: `[error] proxy: ${String(err)}` });
        start();
      });
    } else start();
  });
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Socket) => {
    // A client that went away mid-request is not a malformed request.
    if (err.code === "ECONNRESET" || err.code === "HPE_INVALID_EOF_STATE" || !socket.writable) {
      socket.destroy();
      return;
    }
    const reply = clientErrorResponse(err.code);
    log({
      kind: "access",
      level: "info",
      line: `[access] malformed request from ${socket.remoteAddress ?? "?"}: ${reply.slice(9, 12)} (${err.code ?? err.message})`,
    });
    socket.end(reply);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, listenHost, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (err) {
    core.chain?.close();
    await cleanup();
    throw err;
  }
  server.on("error", (err) =>
    log({ kind: "proxy", level: "error", line: `[error] proxy: ${err.message}` }),
  );

  const addr = server.address() as AddressInfo;
  const shown = addr.address.includes(":") ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${shown}:${addr.port}`,
    port: addr.port,
    host: addr.address,
    echoUrl: echo?.url ?? null,
    get emulator() {
      return core.chain?.host ?? null;
    },
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        // Let the exchanges of the closed connections finish (proxy_on_log …) first.
        await new Promise<void>((r) => setImmediate(r));
        core.chain?.close();
        await cleanup();
      })();
      return closing;
    },
  };
}
