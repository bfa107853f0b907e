// Clusters (named groups of endpoints, round robin) and routes (the first match picks the
// cluster), the part of Envoy's route_config and clusters the dev proxy follows.
import type { ClusterOptions, RouteOptions } from "./types.js";

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

export class Router {
  private readonly regexes = new Map<RouteOptions, RegExp>();

  constructor(readonly routes: RouteOptions[]) {
    for (const r of routes) {
      if (r.regex !== undefined) this.regexes.set(r, new RegExp(`^(?:${r.regex})$`));
    }
  }

  /** The first route whose domains and match fit, or null (Envoy answers 404, flag NR). */
  match(authority: string, path: string): RouteMatch | null {
    const bare = path.split("?")[0];
    for (const r of this.routes) {
      if (!domainMatches(r.domains, authority)) continue;
      if (r.path !== undefined && bare !== r.path) continue;
      if (r.prefix !== undefined && !path.startsWith(r.prefix)) continue;
      const re = this.regexes.get(r);
      if (re && !re.test(bare)) continue;
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
