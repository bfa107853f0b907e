import { proxy_get_property, proxy_set_property } from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { Headers, deserializeHeaders } from "./pairs";
import { RETURN_LEN, RETURN_PTR, clearReturned, takeBuffer, takeString } from "../dispatch/memory";
import { arg0Len, arg0Ptr, encode1 } from "../dispatch/utf8";
import { encodeString } from "../dispatch/utf8_codec";
import { Result } from "./result";

/**
 * Encodes a property path for the host: segments joined by NUL bytes. A dotted string
 * ("request.path") is split on "."; pass an array to keep dots inside a segment
 * (["metadata", "filter_metadata", "envoy.lb"]).
 */
export function encodePropertyPath(segments: string[]): ArrayBuffer {
  return encodeString(segments.join("\0"));
}

// A dotted path is encoded in the scratch block and its dots turned into NULs in place: "." is
// ASCII, so it never occurs inside a multi-byte UTF-8 sequence.
function encodeDotted(path: string): void {
  encode1(path);
  for (let p = arg0Ptr, end = arg0Ptr + arg0Len; p < end; p++) {
    if (load<u8>(p) == 0x2e) store<u8>(p, 0);
  }
}

/** @internal Asks the host for the property at the encoded path `ptr`/`len`; true when found
 * (then read it with `takeBuffer` / `takeString`). */
export function fetchRaw(ptr: usize, len: usize): bool {
  clearReturned();
  return proxy_get_property(ptr, len, RETURN_PTR, RETURN_LEN) == WasmResult.Ok;
}

function fetchDotted(path: string): bool {
  encodeDotted(path);
  return fetchRaw(arg0Ptr, arg0Len);
}

function fetch(path: ArrayBuffer): bool {
  return fetchRaw(changetype<usize>(path), path.byteLength);
}

/**
 * The raw value of property `path` ("request.path"): null when the host has none, empty when
 * the value is.
 */
export function getProperty(path: string): ArrayBuffer | null {
  return fetchDotted(path) ? takeBuffer() : null;
}

/**
 * The raw value of the property at `segments` (for segments holding dots:
 * `["metadata", "filter_metadata", "envoy.lb"]`): null when the host has none.
 */
export function getPropertyAt(segments: string[]): ArrayBuffer | null {
  return fetch(encodePropertyPath(segments)) ? takeBuffer() : null;
}

/**
 * A string property ("request.path", "xds.node.id", "plugin_root_id"): null when the host has
 * none, "" when it is empty.
 */
export function getPropertyString(path: string): string | null {
  return fetchDotted(path) ? takeString() : null;
}

/** A string property at `segments`: null when the host has none, "" when it is empty. */
export function getPropertyStringAt(segments: string[]): string | null {
  return fetch(encodePropertyPath(segments)) ? takeString() : null;
}

/**
 * An integer property (Envoy sends 8 little-endian bytes: "response.code", "source.port",
 * "connection.id"); not `ok` when it is missing (`NotFound`) or not 8 bytes long
 * (`SerializationFailure`).
 */
export function getPropertyInt(path: string): Result<i64> {
  if (!fetchDotted(path)) return new Result<i64>(WasmResult.NotFound, 0);
  const value = takeBuffer();
  if (value.byteLength != 8) return new Result<i64>(WasmResult.SerializationFailure, 0);
  return new Result<i64>(WasmResult.Ok, load<i64>(changetype<usize>(value)));
}

/**
 * A boolean property ("connection.mtls"); not `ok` when it is missing (`NotFound`) or not one
 * byte long (`SerializationFailure`).
 */
export function getPropertyBool(path: string): Result<bool> {
  if (!fetchDotted(path)) return new Result<bool>(WasmResult.NotFound, false);
  const value = takeBuffer();
  if (value.byteLength != 1) return new Result<bool>(WasmResult.SerializationFailure, false);
  return new Result<bool>(WasmResult.Ok, load<u8>(changetype<usize>(value)) != 0);
}

/**
 * A map property ("request.headers", "xds.node.metadata") as pairs: null when the host has none,
 * empty when the map is.
 */
export function getPropertyMap(path: string): Headers | null {
  const value = getProperty(path);
  if (value === null) return null;
  return deserializeHeaders(changetype<usize>(value), value.byteLength);
}

/**
 * Sets property `path` to `value` (Envoy stores it in the filter state as `wasm.<path>`).
 * Returns Ok or why not.
 */
export function setProperty(path: string, value: ArrayBuffer): WasmResult {
  encodeDotted(path);
  return <WasmResult>(
    proxy_set_property(arg0Ptr, arg0Len, changetype<usize>(value), value.byteLength)
  );
}

/** Sets property `path` to the UTF-8 bytes of `value`. Returns Ok or why not. */
export function setPropertyString(path: string, value: string): WasmResult {
  return setProperty(path, encodeString(value));
}

/**
 * Typed getters for the request attributes Envoy offers: strings are null when unavailable,
 * numbers are a `Result` (not `ok` when unavailable).
 */
export namespace request {
  /** The `:path` with the query string. Null when unavailable. */
  export function path(): string | null {
    return getPropertyString("request.path");
  }
  /** The path without the query string. Null when unavailable. */
  export function urlPath(): string | null {
    return getPropertyString("request.url_path");
  }
  /** The `:authority` (host). Null when unavailable. */
  export function host(): string | null {
    return getPropertyString("request.host");
  }
  /** The `:method`. Null when unavailable. */
  export function method(): string | null {
    return getPropertyString("request.method");
  }
  /** The `:scheme`. Null when unavailable. */
  export function scheme(): string | null {
    return getPropertyString("request.scheme");
  }
  /** The query string without "?". Null when unavailable. */
  export function query(): string | null {
    return getPropertyString("request.query");
  }
  /** The `x-request-id`. Null when unavailable. */
  export function id(): string | null {
    return getPropertyString("request.id");
  }
  /** The `user-agent`. Null when unavailable. */
  export function userAgent(): string | null {
    return getPropertyString("request.useragent");
  }
  /** The `referer`. Null when unavailable. */
  export function referer(): string | null {
    return getPropertyString("request.referer");
  }
  /** The protocol, such as "HTTP/1.1". Null when unavailable. */
  export function protocol(): string | null {
    return getPropertyString("request.protocol");
  }
  /** Request start time in nanoseconds since the epoch. Not `ok` when unavailable. */
  export function time(): Result<i64> {
    return getPropertyInt("request.time");
  }
  /** Request body size in bytes. Not `ok` when unavailable. */
  export function size(): Result<i64> {
    return getPropertyInt("request.size");
  }
}

/** Typed getters for response attributes. */
export namespace response {
  /** The HTTP status code. Not `ok` when unavailable. */
  export function code(): Result<i64> {
    return getPropertyInt("response.code");
  }
  /** Envoy's response code details. Null when unavailable. */
  export function codeDetails(): string | null {
    return getPropertyString("response.code_details");
  }
  /** Response body size in bytes. Not `ok` when unavailable. */
  export function size(): Result<i64> {
    return getPropertyInt("response.size");
  }
}

/** The downstream peer (client) of the connection. */
export namespace source {
  /** "ip:port". Null when unavailable. */
  export function address(): string | null {
    return getPropertyString("source.address");
  }
  /** The port. Not `ok` when unavailable. */
  export function port(): Result<i64> {
    return getPropertyInt("source.port");
  }
}

/** The local address that accepted the connection. */
export namespace destination {
  /** "ip:port". Null when unavailable. */
  export function address(): string | null {
    return getPropertyString("destination.address");
  }
  /** The port. Not `ok` when unavailable. */
  export function port(): Result<i64> {
    return getPropertyInt("destination.port");
  }
}

/** Connection attributes. */
export namespace connection {
  /** The connection id. Not `ok` when unavailable. */
  export function id(): Result<i64> {
    return getPropertyInt("connection.id");
  }
  /** Whether the client presented a certificate over TLS. Not `ok` when unavailable. */
  export function mtls(): Result<bool> {
    return getPropertyBool("connection.mtls");
  }
  /** The SNI the client asked for. Null when unavailable. */
  export function requestedServerName(): string | null {
    return getPropertyString("connection.requested_server_name");
  }
}

/** xDS attributes of the proxy (the `xds.*` paths of current Envoy). */
export namespace xds {
  /** The node id of this proxy. Null when unavailable. */
  export function nodeId(): string | null {
    return getPropertyString("xds.node.id");
  }
  /** The cluster the route selected. Null when unavailable. */
  export function clusterName(): string | null {
    return getPropertyString("xds.cluster_name");
  }
  /** The route's name. Null when unavailable. */
  export function routeName(): string | null {
    return getPropertyString("xds.route_name");
  }
  /** The listener's direction (0 unspecified, 1 inbound, 2 outbound). Not `ok` when unavailable. */
  export function listenerDirection(): Result<i64> {
    return getPropertyInt("xds.listener_direction");
  }
}

/** Attributes of this plugin. */
export namespace plugin {
  /** The plugin's `name`. Null when unavailable. */
  export function name(): string | null {
    return getPropertyString("plugin_name");
  }
  /** The plugin's `root_id`. Null when unavailable. */
  export function rootId(): string | null {
    return getPropertyString("plugin_root_id");
  }
  /** The VM's `vm_id`. Null when unavailable. */
  export function vmId(): string | null {
    return getPropertyString("plugin_vm_id");
  }
}
