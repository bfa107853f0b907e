// Clusters (named groups of endpoints, round robin) and routes (the first match picks the
// cluster), the part of Envoy's route_config and clusters the dev proxy follows.
import { RE2JS } from "re2js";
import type { ClusterOptions, RouteOptions } from "./types.js";

/** Envoy's route timeout when the route sets none. */
export const DEFAULT_ROUTE_TIMEOUT_MS = 15_000;
/** Envoy's stream_idle_timeout when the connection manager sets none. */
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 300_000;

/** One upstream endpoint. */
export interface Endpoint {
  protocol: "http:" | "https:";
  hostname: string;
  port: number;
  /** A path prefix from the URL ("" for none). */
  basePath: string;
  /** host:port as a Host header. */
  authority: string;
}

export class Cluster {
  private next = 0;
  constructor(
    readonly name: string,
    readonly endpoints: Endpoint[],
  ) {
    if (endpoints.length === 0) throw new Error(`cluster "${name}" has no endpoints`);
  }

  /** The next endpoint, round robin. */
  pick(): Endpoint {
    const e = this.endpoints[this.next % this.endpoints.length];
    this.next = (this.next + 1) % this.endpoints.length;
    return e;
  }
}

export function parseEndpoint(url: string, cluster: string): Endpoint {
  let u: URL;
  try {
    u = new URL(url.includes("://") ? url : `http://${url}`);
  } catch {
    throw new Error(`cluster "${cluster}": "${url}" is not a URL`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") {
    throw new Error(`cluster "${cluster}": only http:// and https:// upstreams are supported`);
  }
  const port = u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
  const hostname = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
  return {
    protocol: u.protocol,
    hostname,
    port,
    basePath: u.pathname === "/" ? "" : u.pathname.replace(/\/$/, ""),
    authority: u.host,
  };
}

export function makeClusters(defs: Record<string, ClusterOptions>): Map<string, Cluster> {
  const out = new Map<string, Cluster>();
  for (const [name, def] of Object.entries(defs)) {
    const urls = Array.isArray(def) ? def : [def];
    out.set(
      name,
      new Cluster(
        name,
        urls.map((u) => parseEndpoint(u, name)),
      ),
    );
  }
  return out;
}

function domainMatches(domains: string[] | undefined, authority: string): boolean {
  if (!domains || domains.length === 0) return true;
  const host = authority.toLowerCase();
  const bare = host.replace(/:\d+$/, "");
  return domains.some((d) => {
    const p = d.toLowerCase();
    if (p === "*") return true;
    if (p.startsWith("*")) return host.endsWith(p.slice(1)) || bare.endsWith(p.slice(1));
    if (p.endsWith("*")) return host.startsWith(p.slice(0, -1));
    return p === host || p === bare;
  });
}

export interface RouteMatch {
  route: RouteOptions;
  /** The path to send upstream (after prefix_rewrite). */
  path: string;
}

/** How a route is named in messages. */
function routeLabel(r: RouteOptions, i: number): string {
  return r.name !== undefined ? `route "${r.name}"` : `route ${i + 1}`;
}

/**
 * A route regex compiled as Envoy's `safe_regex` (Google RE2): linear-time matching, so no
 * pattern can stall the proxy, and RE2's syntax (no backreferences, no lookaround).
 * @throws naming the route when RE2 does not accept the pattern
 */
export function compileRouteRegex(pattern: string, where: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (err) {
    const why = (err as Error).message.replace(/^error parsing regexp: /, "");
    throw new Error(
      `${where}: safe_regex "${pattern}" is not an RE2 pattern (${why}); Envoy's RE2 has no backreferences or lookaround`,
    );
  }
}

export class Router {
  private readonly regexes = new Map<RouteOptions, RE2JS>();
  /** The stream idle timeout before a route is chosen (ms; 0 = none). */
  readonly streamIdleTimeout: number;

  constructor(readonly routes: RouteOptions[]) {
    for (const [i, r] of routes.entries()) {
      if (r.regex !== undefined) this.regexes.set(r, compileRouteRegex(r.regex, routeLabel(r, i)));
    }
    this.streamIdleTimeout =
      routes.find((r) => r.streamIdleTimeout !== undefined)?.streamIdleTimeout ??
      DEFAULT_STREAM_IDLE_TIMEOUT_MS;
  }

  /** The first route whose domains and match fit, or null (Envoy answers 404, flag NR). */
  match(authority: string, path: string): RouteMatch | null {
    const bare = path.split("?")[0];
    for (const r of this.routes) {
      if (!domainMatches(r.domains, authority)) continue;
      if (r.path !== undefined && bare !== r.path) continue;
      if (r.prefix !== undefined && !path.startsWith(r.prefix)) continue;
      const re = this.regexes.get(r);
      // Envoy: the whole path without the query must match (RE2::FullMatch).
      if (re && !re.matches(bare)) continue;
      let out = path;
      if (r.prefix !== undefined && r.prefixRewrite !== undefined) {
        out = r.prefixRewrite + path.slice(r.prefix.length);
        if (!out.startsWith("/")) out = `/${out}`;
      }
      return { route: r, path: out };
    }
    return null;
  }
}
