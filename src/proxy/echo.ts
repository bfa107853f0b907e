// The built-in upstream used when no --upstream is given, shaped like httpbin:
//   /headers      → {"headers": {...}} (the request headers as the upstream got them)
//   /anything/*   → {"method","url","args","headers","data","origin"}
//   /status/N     → an empty answer with status N
//   /bytes/N      → N bytes (N ≤ 64 MiB), for downloads
//   anything else → the request body sent back as is (same content-type) when there is one,
//                   else the /anything answer.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface EchoServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

function json(res: http.ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value, null, 2) + "\n");
  res.writeHead(status, { "content-type": "application/json", "content-length": body.length });
  res.end(body);
}

function hasBody(req: http.IncomingMessage): boolean {
  const cl = req.headers["content-length"];
  return (cl !== undefined && cl !== "0") || req.headers["transfer-encoding"] !== undefined;
}

function describe(req: http.IncomingMessage, body: Buffer): Record<string, unknown> {
  const url = new URL(req.url ?? "/", "http://echo");
  const args: Record<string, string> = {};
  for (const [k, v] of url.searchParams) args[k] = v;
  return {
    method: req.method,
    url: req.url,
    args,
    headers: req.headers,
    data: body.toString("utf8"),
    origin: req.socket.remoteAddress,
  };
}

function collect(req: http.IncomingMessage, done: (body: Buffer) => void): void {
  const parts: Buffer[] = [];
  req.on("data", (c: Buffer) => parts.push(c));
  req.on("end", () => done(Buffer.concat(parts)));
}

function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = (req.url ?? "/").split("?")[0];
  if (path === "/headers") {
    req.resume();
    req.on("end", () => json(res, 200, { headers: req.headers }));
    return;
  }
  const status = /^\/status\/(\d{3})$/.exec(path);
  if (status) {
    req.resume();
    req.on("end", () => {
      res.writeHead(Number(status[1]), { "content-length": "0" });
      res.end();
    });
    return;
  }
  const bytes = /^\/bytes\/(\d+)$/.exec(path);
  if (bytes) {
    req.resume();
    const n = Math.min(Number(bytes[1]), 64 * 1024 * 1024);
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": n });
      const chunk = Buffer.alloc(Math.min(n, 64 * 1024), 0x61);
      let left = n;
      const pump = (): void => {
        while (left > 0) {
          const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
          left -= part.length;
          if (!res.write(part)) {
            res.once("drain", pump);
            return;
          }
        }
        res.end();
      };
      pump();
    });
    return;
  }
  if (path === "/anything" || path.startsWith("/anything/") || !hasBody(req)) {
    collect(req, (body) => json(res, 200, describe(req, body)));
    return;
  }
  // Echo the body back, streamed, with its content-type (and length when it was given).
  const headers: http.OutgoingHttpHeaders = {
    "content-type": req.headers["content-type"] ?? "application/octet-stream",
  };
  if (req.headers["content-length"] !== undefined) {
    headers["content-length"] = req.headers["content-length"];
  }
  res.writeHead(200, headers);
  req.pipe(res);
}

/** Starts the echo upstream on `host` (default 127.0.0.1) and a free port. */
export async function startEchoServer(host = "127.0.0.1", port = 0): Promise<EchoServer> {
  const server = http.createServer(handle);
  server.keepAliveTimeout = 30_000;
  server.on("clientError", (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.address.includes(":") ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}`,
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
