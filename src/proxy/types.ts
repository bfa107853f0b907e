// The options of the dev proxy and what it reports: the library API that the CLI (`run`), the
// tests and the benchmark share.
import type { Host, LogLevelName } from "../host/index.js";

/** One `envoy.filters.http.wasm` filter of the chain. */
export interface FilterOptions {
  /** The module: a file path or the bytes. */
  wasm: string | Uint8Array;
  /** Envoy `root_id`. Default "". */
  rootId?: string;
  /** Envoy plugin `name` (log prefix, property `plugin_name`). Default: the root id. */
  name?: string;
  /** Plugin `configuration` (proxy_on_configure); an object is sent as JSON. */
  config?: string | Uint8Array | object;
  /** `vm_config.configuration` (proxy_on_vm_start); an object is sent as JSON. */
  vmConfig?: string | Uint8Array | object;
  /** `vm_config.vm_id`: filters with the same vm_id, code and vm configuration share one VM. */
  vmId?: string;
  /** `vm_config.environment_variables.key_values`. */
  env?: Record<string, string>;
  /** Envoy `fail_open`: after a trap the request goes on without the filter. */
  failOpen?: boolean;
  /**
   * What happens to the VM after a trap. "reload" (default; Envoy's `FAIL_RELOAD`): the request
   * in flight gets 503 and the next request gets a fresh VM. "closed" (Envoy's `FAIL_CLOSED`):
   * the VM stays failed and every request gets 503 until the proxy restarts.
   */
  onTrap?: "reload" | "closed";
  /** Envoy `allow_on_headers_stop_iteration`. */
  allowOnHeadersStopIteration?: boolean;
}

/** A route: the first that matches the request (after the filters ran) picks the cluster. */
export interface RouteOptions {
  /** Matches when `:path` starts with it (Envoy `match.prefix`). */
  prefix?: string;
  /** Matches when `:path` without the query is exactly it (Envoy `match.path`). */
  path?: string;
  /** Matches when the whole `:path` without the query matches (Envoy `match.safe_regex.regex`). */
  regex?: string;
  /** Virtual host domains ("*", "example.com", "*.example.com", "host:port"). Default any. */
  domains?: string[];
  /** The cluster to send to. */
  cluster: string;
  /** Envoy `route.prefix_rewrite` (only with `prefix`). */
  prefixRewrite?: string;
  /** Envoy `route.host_rewrite_literal`. */
  hostRewrite?: string;
  /** Envoy `route.auto_host_rewrite`: Host becomes the endpoint's host:port. */
  autoHostRewrite?: boolean;
  /** A name for messages (Envoy `routes[].name`). */
  name?: string;
  /**
   * Envoy `route.timeout` in ms: from the end of the request until the whole response; when it
   * passes, 504 "upstream request timeout" (or a reset once the response started). Default
   * 15 000 as in Envoy; 0 = none.
   */
  timeout?: number;
  /** Envoy `route.idle_timeout` in ms: replaces the stream idle timeout once routed; 0 = none. */
  idleTimeout?: number;
  /**
   * The connection manager's `stream_idle_timeout` in ms (envoy.yaml), for the time before a
   * route is chosen: a stream with no activity that long gets 408 (504 when the request was
   * complete), or a reset once the response started. Default 300 000 (5 min) as in Envoy;
   * 0 = none. The first route that has it sets it for every stream.
   */
  streamIdleTimeout?: number;
}

/** Where a cluster sends: one URL or several (round robin). http:// (https:// also works). */
export type ClusterOptions = string | string[];

/** One line the proxy wants shown. */
export interface DevProxyLogEvent {
  /** "access": one line per request; "filter": a wasm log line; "proxy": the proxy's own. */
  kind: "access" | "filter" | "proxy";
  /** Level name: trace, debug, info, warn, error, critical. */
  level: string;
  /** The line, ready to print. */
  line: string;
  /** For "access": what happened to the request. */
  access?: AccessRecord;
}

/** What the access log knows about one request. */
export interface AccessRecord {
  method: string;
  path: string;
  /** The status sent downstream (0 when the stream was reset before any status). */
  status: number;
  /** Set when a filter (or the fail-closed policy) answered instead of the upstream. */
  localReply: { filter: string; details: string } | null;
  /** Set when the stream was reset (wasm_close_stream, upstream reset, client gone…). */
  reset: string | null;
  /** The cluster the request went to, if it reached one. */
  cluster: string | null;
  durationMs: number;
  /** Body bytes: received from the client, sent upstream, received from upstream, sent to client. */
  bytes: { requestIn: number; requestOut: number; responseIn: number; responseOut: number };
  /** Header changes made by the filters: "+name", "-name", "~name". */
  requestHeaderChanges: string[];
  responseHeaderChanges: string[];
}

export interface DevProxyOptions {
  /** The filter chain, in Envoy's order (requests go first → last, responses last → first). */
  filters: FilterOptions[];
  /**
   * Plugins that run outside the HTTP chain, like Envoy's `envoy.bootstrap.wasm` services: they
   * start first, tick, take http callouts and share data and queues with the filters.
   */
  services?: FilterOptions[];
  /**
   * The upstream: cluster "upstream" (Host rewritten to it), where the default route sends
   * everything. "echo" = the built-in echo server, which is also used when neither `upstream`
   * nor `routes` is given.
   */
  upstream?: string;
  /** Named clusters for routes and http callouts. */
  clusters?: Record<string, ClusterOptions>;
  /** Routes; default: everything to cluster "upstream". */
  routes?: RouteOptions[];
  /** Listen address; default 127.0.0.1. */
  host?: string;
  /** Listen port; 0 (default) = a free one. */
  port?: number;
  /** Envoy's `wasm` log level reported to filters; lower lines are dropped. Default "info". */
  logLevel?: LogLevelName;
  /** Receives every line; default: printed to stderr (filter and proxy lines) and stdout (access). */
  onLog?: (event: DevProxyLogEvent) => void;
  /**
   * Bytes a filter may hold of a body it buffers (StopIterationAndBuffer) before the request
   * gets Envoy's 413 (500 for a response): Envoy's per_connection_buffer_limit_bytes, 1 MiB by
   * default. 0 = no limit.
   */
  bufferLimit?: number;
  /** Base directory for relative paths (envoy.yaml's directory). */
  baseDir?: string;
  /**
   * Reload the filters when a .wasm file changes (e.g. after `npm run asbuild`): new requests
   * get fresh VMs of the new build; requests in flight finish on the old one.
   */
  watch?: boolean;
}

export interface DevProxy {
  /** e.g. "http://127.0.0.1:10000" */
  readonly url: string;
  readonly port: number;
  /** The listen address. */
  readonly host: string;
  /** The built-in echo upstream's URL, when it was started. */
  readonly echoUrl: string | null;
  /** The emulator running the filters now (null without filters; replaced by a --watch reload). */
  readonly emulator: Host | null;
  /** Stops listening, closes every connection and the echo upstream. */
  close(): Promise<void>;
}
