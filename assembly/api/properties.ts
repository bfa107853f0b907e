import { proxy_get_property, proxy_set_property } from "../abi/imports";
import { WasmResult } from "../abi/enums";
import { Headers, deserializeHeaders } from "./pairs";
import { RETURN_LEN, RETURN_PTR, clearReturned, takeBuffer, takeString } from "../dispatch/memory";
import { arg0Len, arg0Ptr, encode1 } from "../dispatch/utf8";
import { encodeString } from "../dispatch/utf8_codec";

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
 * The raw value of property `path` (see `encodePropertyPath`), or an empty buffer when it is
 * missing, as @solo-io/proxy-runtime returned it. Prefer `getProperty` to tell the two apart.
 */
export function get_property(path: string): ArrayBuffer {
  const value = getProperty(path);
  return value !== null ? value : new ArrayBuffer(0);
}

/** The raw value of property `path` ("request.path"), or null when the host has none. */
export function getProperty(path: string): ArrayBuffer | null {
  return fetchDotted(path) ? takeBuffer() : null;
}

/** The raw value of the property at `segments`, or null. */
export function getPropertyAt(segments: string[]): ArrayBuffer | null {
  return fetch(encodePropertyPath(segments)) ? takeBuffer() : null;
}

/** A string property ("request.path", "xds.node.id", "plugin_root_id"), or null. */
export function getPropertyString(path: string): string | null {
  return fetchDotted(path) ? takeString() : null;
}

/** A string property at `segments`, or null. */
export function getPropertyStringAt(segments: string[]): string | null {
  return fetch(encodePropertyPath(segments)) ? takeString() : null;
}

/**
 * An integer property (Envoy sends 8 little-endian bytes: "response.code",
 * "source.port", "connection.id"), or `otherwise` when missing or not 8 bytes long.
 */
export function getPropertyInt(path: string, otherwise: i64 = -1): i64 {
  const value = getProperty(path);
  if (value === null || value.byteLength != 8) return otherwise;
  return load<i64>(changetype<usize>(value));
}

/** A boolean property ("connection.mtls"): true, false, or `otherwise` when missing. */
export function getPropertyBool(path: string, otherwise: bool = false): bool {
  const value = getProperty(path);
  if (value === null || value.byteLength != 1) return otherwise;
  return load<u8>(changetype<usize>(value)) != 0;
}

/** A map property ("request.headers", "xds.node.metadata") as pairs, or null. */
export function getPropertyMap(path: string): Headers | null {
  const value = getProperty(path);
  if (value === null) return null;
  return deserializeHeaders(changetype<usize>(value), value.byteLength);
}

/** Sets property `path` (Envoy stores it in the filter state as `wasm.<path>`). */
export function set_property(path: string, data: ArrayBuffer): WasmResult {
  encodeDotted(path);
  return <WasmResult>proxy_set_property(arg0Ptr, arg0Len, changetype<usize>(data), data.byteLength);
}

/** Sets property `path` to the UTF-8 bytes of `value`. */
export function setPropertyString(path: string, value: string): WasmResult {
  return set_property(path, encodeString(value));
}

/** Typed getters for the request attributes Envoy offers (null when unavailable). */
export namespace request {
  /** The `:path` with the query string. */
  export function path(): string | null {
    return getPropertyString("request.path");
  }
  /** The path without the query string. */
  export function url_path(): string | null {
    return getPropertyString("request.url_path");
  }
  /** The `:authority` (host). */
  export function host(): string | null {
    return getPropertyString("request.host");
  }
  /** The `:method`. */
  export function method(): string | null {
    return getPropertyString("request.method");
  }
  /** The `:scheme`. */
  export function scheme(): string | null {
    return getPropertyString("request.scheme");
  }
  /** The query string without "?". */
  export function query(): string | null {
    return getPropertyString("request.query");
  }
  /** The `x-request-id`. */
  export function id(): string | null {
    return getPropertyString("request.id");
  }
  /** The `user-agent`. */
  export function useragent(): string | null {
    return getPropertyString("request.useragent");
  }
  /** The `referer`. */
  export function referer(): string | null {
    return getPropertyString("request.referer");
  }
  /** The protocol, such as "HTTP/1.1". */
  export function protocol(): string | null {
    return getPropertyString("request.protocol");
  }
  /** Request start time in nanoseconds since the epoch, or -1. */
  export function time(): i64 {
    return getPropertyInt("request.time");
  }
  /** Request body size in bytes, or -1. */
  export function size(): i64 {
    return getPropertyInt("request.size");
  }
}

/** Typed getters for response attributes. */
export namespace response {
  /** The HTTP status code, or -1. */
  export function code(): i64 {
    return getPropertyInt("response.code");
  }
  /** Envoy's response code details. */
  export function code_details(): string | null {
    return getPropertyString("response.code_details");
  }
  /** Response body size in bytes, or -1. */
  export function size(): i64 {
    return getPropertyInt("response.size");
  }
}

/** The downstream peer (client) of the connection. */
export namespace source {
  /** "ip:port". */
  export function address(): string | null {
    return getPropertyString("source.address");
  }
  /** The port, or -1. */
  export function port(): i64 {
    return getPropertyInt("source.port");
  }
}

/** The local address that accepted the connection. */
export namespace destination {
  /** "ip:port". */
  export function address(): string | null {
    return getPropertyString("destination.address");
  }
  /** The port, or -1. */
  export function port(): i64 {
    return getPropertyInt("destination.port");
  }
}

/** Connection attributes. */
export namespace connection {
  /** The connection id, or -1. */
  export function id(): i64 {
    return getPropertyInt("connection.id");
  }
  /** Whether the client presented a certificate over TLS. */
  export function mtls(): bool {
    return getPropertyBool("connection.mtls");
  }
  /** The SNI the client asked for. */
  export function requested_server_name(): string | null {
    return getPropertyString("connection.requested_server_name");
  }
}

/** xDS attributes of the proxy (the `xds.*` paths of current Envoy). */
export namespace xds {
  /** The node id of this proxy. */
  export function node_id(): string | null {
    return getPropertyString("xds.node.id");
  }
  /** The cluster the route selected. */
  export function cluster_name(): string | null {
    return getPropertyString("xds.cluster_name");
  }
  /** The route's name. */
  export function route_name(): string | null {
    return getPropertyString("xds.route_name");
  }
  /** The listener's direction (0 unspecified, 1 inbound, 2 outbound), or -1. */
  export function listener_direction(): i64 {
    return getPropertyInt("xds.listener_direction");
  }
}

/** Attributes of this plugin. */
export namespace plugin {
  /** The plugin's `name`. */
  export function name(): string | null {
    return getPropertyString("plugin_name");
  }
  /** The plugin's `root_id`. */
  export function root_id(): string | null {
    return getPropertyString("plugin_root_id");
  }
  /** The VM's `vm_id`. */
  export function vm_id(): string | null {
    return getPropertyString("plugin_vm_id");
  }
}
