// `proxy-wasm-as run`: the dev proxy. A filter (.wasm file or oci:// image) or an envoy.yaml,
// served on 127.0.0.1 in front of an upstream (the built-in echo server by default).
import { existsSync, statSync } from "node:fs";
import type { Command } from "../command.js";
import { UsageError, parseArgs, stringFlag, takeRepeated, textOrFile } from "../command.js";
import {
  loadEnvoyConfig,
  printLog,
  startDevProxy,
  type DevProxy,
  type DevProxyOptions,
  type FilterOptions,
} from "../../proxy/index.js";
import { LOG_LEVEL_NAMES, type LogLevelName } from "../../host/log_level.js";
import { staleWarning } from "../project.js";
import { displayPath } from "../scaffold.js";

const DEFAULT_PORT = 10000;

const help = `usage: proxy-wasm-as run FILTER.wasm [options]
       proxy-wasm-as run oci://REGISTRY/NAME:TAG [options]
       proxy-wasm-as run --envoy envoy.yaml [options]

The dev proxy: a real HTTP proxy on 127.0.0.1 that passes every request through the filter,
run by the host emulator as Envoy runs it, and on to an upstream. Without --upstream it
starts a built-in echo upstream (/headers, /anything, /status/N, /bytes/N; other paths echo
the request body). One access-log line per request; filter logs with their level.

filter (FILTER.wasm or oci://…):
  --root-id ID          the plugin's root_id
  --config STR          plugin configuration (@FILE reads a file)
  --vm-config STR       VM configuration (@FILE reads a file)
  --vm-id ID            vm_config.vm_id
  --fail-open           after a trap, requests go on without the filter (default: 503)
  --insecure            oci://: talk plain HTTP to the registry

envoy.yaml:
  --envoy FILE          listener, wasm http_filters in order, routes and clusters from an
                        Envoy static config (code.local.filename relative to the file)

where to send and listen:
  --upstream URL        the upstream for every request (Host is rewritten to it)
  --cluster NAME=URL    a cluster for http callouts (repeatable)
  --port N              listen port (default ${DEFAULT_PORT}, or the envoy.yaml listener's;
                        0 = any free port)
  --host ADDR           listen address (default 127.0.0.1)
  --log-level LEVEL     the filters' log level: trace, debug, info (default), warn, error, critical
  --buffer-limit BYTES  how much of a body a filter may buffer before Envoy's 413/500
                        (default 1 MiB, Envoy's per_connection_buffer_limit_bytes; 0 = none)
  --watch               reload the filters when a .wasm file changes (after npm run asbuild)

Ctrl-C stops it.`;

const REBUILD = "build it with `npm run asbuild` (or `proxy-wasm-as build`)";

/** Warns (one line) when a module file is older than its project's sources. */
async function warnIfStale(wasm: string | Uint8Array): Promise<void> {
  if (typeof wasm !== "string") return;
  const stale = await staleWarning(wasm);
  if (stale !== undefined) process.stderr.write(`${stale}\n`);
}

/** --cluster NAME=URL, repeatable. */
function takeClusters(args: string[]): { rest: string[]; clusters: Record<string, string> } {
  const { rest, found } = takeRepeated(args, ["cluster"], { cluster: "NAME=URL" });
  const clusters: Record<string, string> = {};
  for (const value of found.cluster) {
    const eq = value.indexOf("=");
    if (eq <= 0) throw new UsageError("--cluster needs NAME=URL");
    clusters[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return { rest, clusters };
}

async function pullFilter(ref: string, insecure: boolean) {
  const { parseReference, isLoopback } = await import("../../oci/reference.js");
  const { RegistryClient } = await import("../../oci/registry.js");
  const { pullWasm } = await import("../../oci/transfer.js");
  let parsed;
  try {
    parsed = parseReference(ref);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (insecure && !isLoopback(parsed.registry)) {
    process.stderr.write(`warning: --insecure: talking plain HTTP to ${parsed.registry}\n`);
  }
  const client = new RegistryClient(parsed, ["pull"], { insecure });
  const result = await pullWasm(client, (line) => process.stderr.write(`${line}\n`));
  let rootIds: string[] = [];
  try {
    const rc = JSON.parse(result.runtimeConfig?.toString("utf8") ?? "{}") as {
      config?: { rootIds?: unknown };
    };
    if (Array.isArray(rc.config?.rootIds)) rootIds = rc.config.rootIds.map(String);
  } catch {
    // no usable runtime-config.json
  }
  process.stderr.write(`pulled ${ref} (${result.wasm.length} bytes, ${result.wasmDigest})\n`);
  return { wasm: new Uint8Array(result.wasm), rootIds };
}

function waitForSignal(proxy: DevProxy): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        process.stderr.write("stopping now\n");
        process.exit(130);
      }
      stopping = true;
      process.stderr.write(`\n${signal}: stopping the dev proxy\n`);
      proxy.close().then(
        () => {
          process.off("SIGINT", onInt);
          process.off("SIGTERM", onTerm);
          // Anything still holding the event loop must not keep a stopped proxy alive.
          setTimeout(() => process.exit(0), 2000).unref();
          resolve(0);
        },
        (err: unknown) => {
          process.stderr.write(`error while stopping: ${String(err)}\n`);
          resolve(1);
        },
      );
    };
    const onInt = () => stop("SIGINT");
    const onTerm = () => stop("SIGTERM");
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
  });
}

export const command: Command = {
  name: "run",
  summary: "the dev proxy: serve a filter on real HTTP (a .wasm, oci:// image or envoy.yaml)",
  help,
  async run(args: string[]): Promise<number> {
    const { rest, clusters } = takeClusters(args);
    const parsed = parseArgs(
      rest,
      [
        "root-id",
        "config",
        "vm-config",
        "vm-id",
        "upstream",
        "port",
        "host",
        "envoy",
        "log-level",
        "buffer-limit",
      ],
      ["fail-open", "insecure", "watch"],
    );
    const envoyPath = stringFlag(parsed, "envoy");
    const portFlag = stringFlag(parsed, "port");
    if (portFlag !== undefined && !/^\d+$/.test(portFlag))
      throw new UsageError("--port needs a number");
    const bufferFlag = stringFlag(parsed, "buffer-limit");
    if (bufferFlag !== undefined && !/^\d+$/.test(bufferFlag))
      throw new UsageError("--buffer-limit needs a number of bytes");
    const logLevel = stringFlag(parsed, "log-level") ?? "info";
    if (!(LOG_LEVEL_NAMES as readonly string[]).includes(logLevel))
      throw new UsageError(`--log-level: one of ${LOG_LEVEL_NAMES.join(", ")}`);

    const options: DevProxyOptions = {
      filters: [],
      upstream: stringFlag(parsed, "upstream"),
      clusters,
      host: stringFlag(parsed, "host") ?? "127.0.0.1",
      logLevel: logLevel as LogLevelName,
      onLog: printLog,
      watch: parsed.flags.has("watch"),
    };
    if (bufferFlag !== undefined) options.bufferLimit = Number(bufferFlag);
    let port = portFlag !== undefined ? Number(portFlag) : DEFAULT_PORT;
    const describe: string[] = [];

    if (envoyPath !== undefined) {
      if (parsed.positionals.length > 0)
        throw new UsageError("give either FILTER.wasm / oci://… or --envoy, not both");
      for (const f of ["root-id", "config", "vm-config", "vm-id", "fail-open"]) {
        if (parsed.flags.has(f))
          throw new UsageError(`--${f} does not go with --envoy (set it in the file)`);
      }
      if (!existsSync(envoyPath)) {
        throw new Error(
          `${envoyPath} does not exist; \`proxy-wasm-as manifest envoy --wasm FILE --root-id ID` +
            ` --out ${envoyPath}\` writes one (a project from \`proxy-wasm-as init\` has one)`,
        );
      }
      const cfg = await loadEnvoyConfig(envoyPath).catch((err: unknown) => {
        // The proxy's own errors name envoy.yaml; a YAML syntax error does not say which file.
        if ((err as Error).name?.startsWith("YAML"))
          throw new Error(`${envoyPath} is not valid YAML: ${(err as Error).message}`);
        throw err;
      });
      for (const w of cfg.warnings) process.stderr.write(`envoy.yaml: ${w}\n`);
      for (const f of [...cfg.services, ...cfg.filters]) {
        if (typeof f.wasm === "string" && !existsSync(f.wasm)) {
          throw new Error(
            `${envoyPath}: ${f.name ?? f.rootId ?? "a filter"} loads ${displayPath(f.wasm)},` +
              ` which does not exist; ${REBUILD}`,
          );
        }
        await warnIfStale(f.wasm);
      }
      options.filters = cfg.filters;
      options.services = cfg.services;
      if (cfg.bufferLimit !== undefined && bufferFlag === undefined)
        options.bufferLimit = cfg.bufferLimit;
      options.clusters = { ...cfg.clusters, ...clusters };
      if (options.upstream === undefined) options.routes = cfg.routes;
      if (portFlag === undefined) port = cfg.listener.port;
      if (!parsed.flags.has("host")) {
        const a = cfg.listener.address;
        const loopback = a === "127.0.0.1" || a === "::1" || a === "localhost";
        if (!loopback)
          process.stderr.write(
            `envoy.yaml listens on ${a}:${cfg.listener.port}; the dev proxy stays on 127.0.0.1 (--host to change)\n`,
          );
        else options.host = a;
      }
      for (const f of cfg.services) {
        describe.push(
          `service ${f.name ?? f.rootId ?? ""} root_id="${f.rootId ?? ""}" (${typeof f.wasm === "string" ? f.wasm : "inline"})`,
        );
      }
      for (const f of cfg.filters) {
        describe.push(
          `filter ${f.name ?? f.rootId ?? ""} root_id="${f.rootId ?? ""}" (${typeof f.wasm === "string" ? f.wasm : "inline"})`,
        );
      }
      for (const r of cfg.routes) {
        const m =
          r.path !== undefined
            ? `path ${r.path}`
            : r.regex !== undefined
              ? `regex ${r.regex}`
              : `prefix ${r.prefix}`;
        describe.push(
          `route ${m} → ${r.cluster}${r.domains?.length ? ` (domains ${r.domains.join(",")})` : ""}`,
        );
      }
      for (const [n, c] of Object.entries(options.clusters ?? {}))
        describe.push(`cluster ${n}: ${[c].flat().join(", ")}`);
    } else {
      if (parsed.positionals.length !== 1)
        throw new UsageError("give one FILTER.wasm or oci://REF (or --envoy envoy.yaml)");
      const source = parsed.positionals[0];
      let wasm: string | Uint8Array = source;
      let rootId = stringFlag(parsed, "root-id");
      const config = await textOrFile("config", stringFlag(parsed, "config"));
      const vmConfig = await textOrFile("vm-config", stringFlag(parsed, "vm-config"));
      if (source.startsWith("oci://")) {
        const pulled = await pullFilter(source, parsed.flags.has("insecure"));
        wasm = pulled.wasm;
        if (rootId === undefined && pulled.rootIds.length === 1) rootId = pulled.rootIds[0];
      } else if (!existsSync(source)) {
        throw new Error(
          source.endsWith(".wasm")
            ? `${source} does not exist; ${REBUILD}`
            : `${source} does not exist (give a .wasm file, or oci://REGISTRY/NAME:TAG for an image)`,
        );
      } else if (statSync(source).isDirectory()) {
        throw new Error(
          `${source} is a directory; give the .wasm file (e.g. build/optimized.wasm)`,
        );
      } else {
        await warnIfStale(source);
      }
      const filter: FilterOptions = {
        wasm,
        rootId: rootId ?? "",
        config,
        vmConfig,
        vmId: stringFlag(parsed, "vm-id"),
        failOpen: parsed.flags.has("fail-open"),
      };
      options.filters = [filter];
      describe.push(
        `filter ${source} root_id="${filter.rootId}"${filter.failOpen ? " (fail open)" : ""}`,
      );
      for (const [n, c] of Object.entries(clusters)) describe.push(`cluster ${n}: ${c}`);
    }

    let proxy: DevProxy;
    try {
      proxy = await startDevProxy({ ...options, port });
    } catch (err) {
      const busy = (err as NodeJS.ErrnoException).code === "EADDRINUSE";
      if (busy && portFlag === undefined && envoyPath === undefined) {
        process.stderr.write(
          `port ${port} is in use; using a free port instead (--port to choose)\n`,
        );
        proxy = await startDevProxy({ ...options, port: 0 });
      } else if (busy) {
        throw new Error(`port ${port} is in use (--port N to choose another, 0 for any)`);
      } else throw err;
    }

    const out: string[] = [`dev proxy listening on ${proxy.url}`];
    for (const d of describe) out.push(`  ${d}`);
    if (proxy.echoUrl) out.push(`  upstream: built-in echo server ${proxy.echoUrl}`);
    else if (options.upstream) out.push(`  upstream: ${options.upstream}`);
    out.push("", "try:", `  curl -i ${proxy.url}/headers`, "", "Ctrl-C to stop.");
    console.log(out.join("\n"));
    return waitForSignal(proxy);
  },
};
