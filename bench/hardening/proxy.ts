// The dev proxy's memory under abuse, measured in a child process (its RSS only, not this
// process's): 1 GiB streamed through the add_header filter to an upstream that discards it, and
// 10,000 requests that each trap the filter (every trap fails the VM; the next request reloads
// it, as Envoy's FAIL_RELOAD does). Both must stay flat: forwarded chunks are released, and a
// trapped VM is dropped and its module instantiated again without compiling.
//
//   node --import tsx -e 'import("./bench/hardening/proxy.ts").then(async m => console.log(await m.measureProxy()))'
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ADD_HEADER = `${ROOT}build/optimized.wasm`;
const TRAP_FILTERS = `${ROOT}tests/proxy/build/proxy_filters.wasm`;
const MiB = 1024 * 1024;
// Smaller runs for a quick look: PROXY_BENCH_STREAM_MIB, PROXY_BENCH_TRAPS.
const STREAM_BYTES = Number(process.env.PROXY_BENCH_STREAM_MIB ?? 1024) * MiB;
const TRAPS = Number(process.env.PROXY_BENCH_TRAPS ?? 10_000);
const FIRST_TRAPS = Math.min(1000, TRAPS);

type Msg = { url?: string; rss?: number; id?: number };

/** A dev proxy in a child process; `rss()` asks it for its resident set size. */
interface Child {
  url: string;
  rss(gc?: boolean): Promise<number>;
  close(): Promise<void>;
}

async function startChild(
  filter: { wasm: string; rootId: string },
  upstream: string,
): Promise<Child> {
  const child: ChildProcess = spawn(
    process.execPath,
    ["--expose-gc", "--import", "tsx", fileURLToPath(import.meta.url)],
    {
      cwd: ROOT,
      env: { ...process.env, PROXY_BENCH_CHILD: JSON.stringify({ ...filter, upstream }) },
      stdio: ["ignore", "ignore", "inherit", "ipc"],
    },
  );
  const waiting = new Map<number, (rss: number) => void>();
  let nextId = 1;
  const url = await new Promise<string>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the proxy child exited (${code})`)));
    child.on("message", (m: Msg) => {
      if (m.url) resolve(m.url);
      else if (m.id !== undefined) waiting.get(m.id)?.(m.rss!);
    });
  });
  return {
    url,
    rss: (gc = false) =>
      new Promise<number>((resolve) => {
        const id = nextId++;
        waiting.set(id, (rss) => {
          waiting.delete(id);
          resolve(rss);
        });
        child.send({ id, gc });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners("exit");
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** The child: the dev proxy, answering RSS questions over IPC. */
async function runChild(spec: { wasm: string; rootId: string; upstream: string }): Promise<void> {
  const { startDevProxy } = await import("../../src/proxy/index.js");
  const proxy = await startDevProxy({
    filters: [{ wasm: spec.wasm, rootId: spec.rootId }],
    upstream: spec.upstream,
    port: 0,
    onLog: () => undefined, // the log lines themselves would cost the pipe, not the proxy
  });
  process.on("message", (m: { id: number; gc: boolean }) => {
    if (m.gc) (globalThis as { gc?: () => void }).gc?.();
    process.send!({ id: m.id, rss: process.memoryUsage().rss });
  });
  process.on("SIGTERM", () => void proxy.close().then(() => process.exit(0)));
  process.send!({ url: proxy.url });
}

/** An upstream that reads every body and throws it away. */
async function discardUpstream(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let n = 0;
    req.on("data", (c: Buffer) => (n += c.length));
    req.on("end", () => res.end(String(n)));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** POSTs `total` bytes (one 64 KiB buffer written again and again), chunked. */
function stream(url: string, total: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const req = http.request(`${url}/upload`, { method: "POST" }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    let sent = 0;
    const pump = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (sent >= total) {
          req.end(chunk);
          return;
        }
        if (!req.write(chunk)) {
          req.once("drain", pump);
          return;
        }
      }
    };
    pump();
  });
}

const mib = (n: number) => `${(n / MiB).toFixed(0)} MiB`;
const sign = (n: number) => `${n >= 0 ? "+" : "−"}${mib(Math.abs(n))}`;

async function measureStream(rows: [string, string][], notes: string[]): Promise<void> {
  const upstream = await discardUpstream();
  const child = await startChild({ wasm: ADD_HEADER, rootId: "add_header" }, upstream.url);
  try {
    await stream(child.url, 4 * MiB); // warm-up: the first request's code paths and buffers
    const before = await child.rss(true);
    let peak = before;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await child.rss());
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const t0 = performance.now();
    const res = await stream(child.url, STREAM_BYTES);
    const seconds = (performance.now() - t0) / 1000;
    sampling = false;
    await sampler;
    const after = await child.rss();
    const afterGc = await child.rss(true);
    if (res.status !== 200 || res.body !== String(STREAM_BYTES))
      notes.push(`the stream did not arrive whole: ${res.status} ${res.body.slice(0, 80)}`);
    rows.push(
      [`${mib(STREAM_BYTES)} streamed through add_header: RSS before`, mib(before)],
      ["… peak while streaming", `${mib(peak)} (${sign(peak - before)})`],
      ["… after (after a GC)", `${mib(after)} (${mib(afterGc)})`],
      ["… throughput", `${(STREAM_BYTES / MiB / seconds).toFixed(0)} MiB/s`],
    );
  } finally {
    await child.close();
    await upstream.close();
  }
}

async function measureTraps(rows: [string, string][], notes: string[]): Promise<void> {
  if (!existsSync(TRAP_FILTERS)) {
    notes.push(
      `traps not measured: ${TRAP_FILTERS} is missing (node scripts/build-examples.mjs proxy)`,
    );
    return;
  }
  const upstream = await discardUpstream();
  const child = await startChild({ wasm: TRAP_FILTERS, rootId: "trap" }, upstream.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path: string) =>
    new Promise<number>((resolve, reject) => {
      http
        .get(`${child.url}${path}`, { agent }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        })
        .on("error", reject);
    });
  try {
    await get("/fine");
    const start = await child.rss(true);
    const at: Record<number, number> = {};
    let not503 = 0;
    const t0 = performance.now();
    for (let i = 1; i <= TRAPS; i++) {
      if ((await get("/trap")) !== 503) not503++;
      if (i === FIRST_TRAPS || i === TRAPS) at[i] = await child.rss(true);
    }
    const seconds = (performance.now() - t0) / 1000;
    const alive = await get("/fine");
    rows.push(
      [`${TRAPS} traps (each VM dropped, the next reloaded): RSS at start`, mib(start)],
      [`… after ${FIRST_TRAPS} traps (after a GC)`, mib(at[FIRST_TRAPS])],
      [
        `… after ${TRAPS} traps (after a GC)`,
        `${mib(at[TRAPS])} (${sign(at[TRAPS] - at[FIRST_TRAPS])} since ${FIRST_TRAPS})`,
      ],
      ["… time per trap and reload", `${((seconds * 1000) / TRAPS).toFixed(2)} ms`],
    );
    if (not503 > 0) notes.push(`${not503} trapping requests did not get 503`);
    if (alive !== 200) notes.push(`a request after the traps got ${alive}, not 200`);
  } finally {
    agent.destroy();
    await child.close();
    await upstream.close();
  }
}

export async function measureProxy(): Promise<{
  title: string;
  rows: [string, string][];
  notes: string[];
}> {
  const rows: [string, string][] = [];
  const notes: string[] = [
    "The dev proxy runs in a child process (node --expose-gc); RSS is the child's. The upstream " +
      "(in this process) reads every body and throws it away. Peak is sampled every 50 ms.",
  ];
  if (!existsSync(ADD_HEADER)) {
    notes.push(`not measured: ${ADD_HEADER} is missing (npm run asbuild)`);
    return { title: "Dev proxy memory", rows, notes };
  }
  await measureStream(rows, notes);
  await measureTraps(rows, notes);
  return { title: "Dev proxy memory", rows, notes };
}

const childSpec = process.env.PROXY_BENCH_CHILD;
if (childSpec && process.send) void runChild(JSON.parse(childSpec));
