// The part of an Envoy static config (envoy.yaml) the dev proxy follows: the first listener's
// address and port, its HTTP connection manager's `envoy.filters.http.wasm` filters in order,
// its routes, and the clusters they name (STATIC / STRICT_DNS / LOGICAL_DNS endpoints).
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";
import { compileRouteRegex } from "./routes.js";
import type { ClusterOptions, FilterOptions, RouteOptions } from "./types.js";

/** What envoy.yaml says, as dev proxy options (paths resolved against the file's directory). */
export interface EnvoyConfig {
  listener: { address: string; port: number };
  filters: FilterOptions[];
  /** `bootstrap_extensions` of type `envoy.bootstrap.wasm` (WasmService). */
  services: FilterOptions[];
  routes: RouteOptions[];
  clusters: Record<string, ClusterOptions>;
  /** The listener's per_connection_buffer_limit_bytes, when set. */
  bufferLimit?: number;
  /** The connection manager's stream_idle_timeout in ms, when set (also on every route). */
  streamIdleTimeout?: number;
  /** Things in the file the dev proxy does not do, to tell the user. */
  warnings: string[];
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function obj(v: unknown): Obj {
  return isObj(v) ? v : {};
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : undefined;
}

/**
 * A google.protobuf.Duration as YAML writes it ("15s", "0.25s", or {seconds, nanos}) in ms;
 * undefined when absent, with a warning when it is not a duration.
 */
function durationMs(v: unknown, where: string, warnings: string[]): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") {
    const m = /^(\d+(?:\.\d+)?)s$/.exec(v.trim());
    if (m) return Math.round(Number(m[1]) * 1000);
  } else if (isObj(v)) {
    const seconds = Number(v.seconds ?? 0);
    const nanos = Number(v.nanos ?? 0);
    if (Number.isFinite(seconds) && Number.isFinite(nanos))
      return Math.round(seconds * 1000 + nanos / 1e6);
  }
  warnings.push(`${where}: ${JSON.stringify(v)} is not a duration such as "15s" (ignored)`);
  return undefined;
}

const WASM_FILTER_TYPE = "envoy.extensions.filters.http.wasm.v3.Wasm";
const HCM_TYPE =
  "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";

/** A typed_config's type and fields, unwrapping udpa/xds TypedStruct. */
function typed(v: unknown): { type: string; value: Obj } {
  const o = obj(v);
  const type = str(o["@type"]) ?? "";
  if (/TypedStruct$/.test(type)) return { type: str(o.type_url) ?? "", value: obj(o.value) };
  return { type, value: o };
}

/**
 * A configuration field (google.protobuf.Any): StringValue → its value, BytesValue → the bytes,
 * Struct or anything else → JSON (as Envoy serializes a Struct).
 */
function anyValue(v: unknown): string | Uint8Array | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === "string") return v;
  const o = obj(v);
  const type = str(o["@type"]) ?? "";
  if (type.endsWith("google.protobuf.StringValue")) return str(o.value) ?? "";
  if (type.endsWith("google.protobuf.BytesValue"))
    return new Uint8Array(Buffer.from(str(o.value) ?? "", "base64"));
  if (type.endsWith("google.protobuf.Struct")) {
    const { "@type": _t, ...rest } = o;
    return JSON.stringify("value" in rest && Object.keys(rest).length === 1 ? rest.value : rest);
  }
  const { "@type": _t, ...rest } = o;
  return JSON.stringify(rest);
}

function wasmFilter(value: Obj, baseDir: string, where: string, warnings: string[]): FilterOptions {
  const config = obj(value.config);
  const vm = obj(config.vm_config);
  const code = obj(vm.code);
  let wasm: string | Uint8Array;
  const local = obj(code.local);
  if (str(local.filename) !== undefined) wasm = resolve(baseDir, str(local.filename)!);
  else if (str(local.inline_bytes) !== undefined)
    wasm = new Uint8Array(Buffer.from(str(local.inline_bytes)!, "base64"));
  else if (str(local.inline_string) !== undefined)
    wasm = new Uint8Array(Buffer.from(str(local.inline_string)!, "utf8"));
  else if (isObj(code.remote))
    throw new Error(
      `${where}: vm_config.code.remote is not supported; download the module and use code.local.filename`,
    );
  else throw new Error(`${where}: vm_config.code.local.filename is missing`);
  const runtime = str(vm.runtime);
  if (runtime && !/v8/.test(runtime)) {
    warnings.push(`${where}: runtime ${runtime} is run with Node's V8 anyway`);
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj(obj(vm.environment_variables).key_values))) {
    if (str(v) !== undefined) env[k] = str(v)!;
  }
  const policy = str(config.failure_policy);
  const failOpen = config.fail_open === true || policy === "FAIL_OPEN";
  return {
    wasm,
    name: str(config.name),
    rootId: str(config.root_id) ?? "",
    config: anyValue(config.configuration),
    vmId: str(vm.vm_id) ?? "",
    vmConfig: anyValue(vm.configuration),
    env: Object.keys(env).length ? env : undefined,
    failOpen,
    onTrap: policy === "FAIL_CLOSED" ? "closed" : "reload",
    allowOnHeadersStopIteration: config.allow_on_headers_stop_iteration === true,
  };
}

function routesOf(hcm: Obj, where: string, warnings: string[]): RouteOptions[] {
  const rc = obj(hcm.route_config);
  if (!isObj(hcm.route_config)) {
    if (isObj(hcm.rds)) warnings.push(`${where}: rds is not supported; use an inline route_config`);
    return [];
  }
  const streamIdleTimeout = durationMs(
    hcm.stream_idle_timeout,
    `${where}: stream_idle_timeout`,
    warnings,
  );
  const out: RouteOptions[] = [];
  for (const [i, vh] of list(rc.virtual_hosts).entries()) {
    const v = obj(vh);
    const domains = list(v.domains)
      .map(str)
      .filter((d): d is string => d !== undefined);
    for (const [j, r] of list(v.routes).entries()) {
      const ro = obj(r);
      const name = str(ro.name) ?? `${str(v.name) ?? `virtual_hosts[${i}]`}.routes[${j}]`;
      const label = `${where}: route ${name}`;
      const match = obj(ro.match);
      const route = obj(ro.route);
      const cluster = str(route.cluster);
      const timeouts = {
        name,
        timeout: durationMs(route.timeout, `${label}: timeout`, warnings),
        idleTimeout: durationMs(route.idle_timeout, `${label}: idle_timeout`, warnings),
        streamIdleTimeout,
      };
      if (cluster === undefined) {
        if (isObj(ro.direct_response) || isObj(ro.redirect))
          warnings.push(`${where}: direct_response / redirect routes are not supported (skipped)`);
        else if (route.weighted_clusters !== undefined) {
          const firstCluster = str(obj(list(obj(route.weighted_clusters).clusters)[0]).name);
          if (firstCluster) {
            warnings.push(`${where}: weighted_clusters: every request goes to ${firstCluster}`);
            out.push({ ...matchOf(match, label), domains, cluster: firstCluster, ...timeouts });
          }
        }
        continue;
      }
      out.push({
        ...matchOf(match, label),
        domains,
        cluster,
        prefixRewrite: str(route.prefix_rewrite),
        hostRewrite: str(route.host_rewrite_literal),
        autoHostRewrite: route.auto_host_rewrite === true,
        ...timeouts,
      });
    }
  }
  return out;
}

function matchOf(match: Obj, label: string): Pick<RouteOptions, "prefix" | "path" | "regex"> {
  if (str(match.path) !== undefined) return { path: str(match.path) };
  if (isObj(match.safe_regex)) {
    const regex = str(match.safe_regex.regex) ?? ".*";
    compileRouteRegex(regex, label); // a pattern RE2 refuses is an error, as in Envoy
    return { regex };
  }
  if (str(match.path_separated_prefix) !== undefined)
    return { regex: `${escapeRe(str(match.path_separated_prefix)!)}(/.*)?` };
  return { prefix: str(match.prefix) ?? "/" };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function clusterEndpoints(c: Obj, warnings: string[]): string[] {
  const name = str(c.name) ?? "?";
  const tls = isObj(c.transport_socket) && /tls/.test(str(obj(c.transport_socket).name) ?? "tls");
  const scheme = tls ? "https" : "http";
  const addrs: Obj[] = [];
  for (const ep of list(obj(c.load_assignment).endpoints)) {
    for (const lb of list(obj(ep).lb_endpoints)) addrs.push(obj(obj(obj(lb).endpoint).address));
  }
  for (const h of list(c.hosts)) addrs.push(obj(h)); // v2 style
  const out: string[] = [];
  for (const a of addrs) {
    const sa = obj(a.socket_address);
    const host = str(sa.address);
    const port = str(sa.port_value);
    if (!host || !port) continue;
    out.push(`${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`);
  }
  const type = str(c.type) ?? "STATIC";
  if (!["STATIC", "STRICT_DNS", "LOGICAL_DNS"].includes(type)) {
    warnings.push(`cluster ${name}: type ${type} is treated as STRICT_DNS`);
  }
  if (out.length === 0) warnings.push(`cluster ${name}: no endpoints (skipped)`);
  return out;
}

/** Reads the dev-proxy subset of an Envoy static config. `baseDir` resolves code.local.filename. */
export function parseEnvoyConfig(text: string, baseDir: string): EnvoyConfig {
  const doc = obj(parse(text));
  const sr = obj(doc.static_resources);
  const warnings: string[] = [];
  const listeners = list(sr.listeners).map(obj);
  let chosen: { listener: Obj; hcm: Obj } | null = null;
  for (const l of listeners) {
    for (const fc of list(l.filter_chains)) {
      for (const f of list(obj(fc).filters)) {
        const fo = obj(f);
        const t = typed(fo.typed_config);
        if (
          t.type.endsWith(HCM_TYPE) ||
          str(fo.name) === "envoy.filters.network.http_connection_manager"
        ) {
          chosen ??= { listener: l, hcm: t.value };
        }
      }
    }
  }
  if (!chosen)
    throw new Error(
      "envoy.yaml: no listener with an http_connection_manager filter (the dev proxy serves HTTP filters; network/TCP filters are not supported)",
    );
  if (listeners.length > 1)
    warnings.push(`only the first listener with an HTTP connection manager is served`);
  const sa = obj(obj(chosen.listener.address).socket_address);
  const listener = {
    address: str(sa.address) ?? "127.0.0.1",
    port: Number(str(sa.port_value) ?? 0),
  };
  const lname = str(chosen.listener.name) ?? "listener";
  const filters: FilterOptions[] = [];
  for (const [i, hf] of list(chosen.hcm.http_filters).entries()) {
    const h = obj(hf);
    const name = str(h.name) ?? "";
    const t = typed(h.typed_config);
    const where = `${lname}: http_filters[${i}] (${name})`;
    if (t.type.endsWith(WASM_FILTER_TYPE) || (name === "envoy.filters.http.wasm" && !t.type)) {
      filters.push(wasmFilter(t.value, baseDir, where, warnings));
    } else if (name !== "envoy.filters.http.router" && !t.type.endsWith("router.v3.Router")) {
      warnings.push(`${where}: not a Wasm filter; skipped`);
    }
  }
  const routes = routesOf(chosen.hcm, lname, warnings);
  const clusters: Record<string, ClusterOptions> = {};
  for (const c of list(sr.clusters).map(obj)) {
    const name = str(c.name);
    if (!name) continue;
    const eps = clusterEndpoints(c, warnings);
    if (eps.length > 0) clusters[name] = eps;
  }
  const services: FilterOptions[] = [];
  for (const [i, ext] of list(doc.bootstrap_extensions).entries()) {
    const e = obj(ext);
    const t = typed(e.typed_config);
    const where = `bootstrap_extensions[${i}] (${str(e.name) ?? ""})`;
    if (t.type.endsWith("envoy.extensions.wasm.v3.WasmService")) {
      services.push(wasmFilter(t.value, baseDir, where, warnings));
    } else warnings.push(`${where}: not a Wasm service; skipped`);
  }
  const limit = chosen.listener.per_connection_buffer_limit_bytes;
  const bufferLimit = limit === undefined ? undefined : Number(str(obj(limit).value ?? limit));
  const streamIdleTimeout = routes.find(
    (r) => r.streamIdleTimeout !== undefined,
  )?.streamIdleTimeout;
  return {
    listener,
    filters,
    services,
    routes,
    clusters,
    bufferLimit,
    streamIdleTimeout,
    warnings,
  };
}

/** Reads and parses an envoy.yaml file. */
export async function loadEnvoyConfig(path: string): Promise<EnvoyConfig> {
  const text = await readFile(path, "utf8");
  return parseEnvoyConfig(text, dirname(resolve(path)));
}
