// Header plumbing between Node's http messages and the filters' header maps (Envoy's view of an
// HTTP/1 message: pseudo headers, lower-case names, no hop-by-hop headers).
import http from "node:http";
import { bytesToString, stringToBytes } from "../host/pairs.js";
import type { Pair } from "./host_api.js";

// Node's HTTP parser hands header values over as latin1 strings (one char per byte) and writes
// them back the same way; the filters' header maps hold the emulator's strings (UTF-8 text, other
// bytes escaped, see host/pairs.ts). Converting at both ends passes every byte through as is,
// as Envoy does.
const ASCII = /^[\x00-\x7f]*$/;

/** A value as Node gives it (latin1: one char per byte) → the filters' string. */
export function fromWire(v: string): string {
  return ASCII.test(v) ? v : bytesToString(Buffer.from(v, "latin1"));
}

/** The filters' string → a value for Node to write (latin1: one char per byte). */
export function toWire(v: string): string {
  return ASCII.test(v) ? v : stringToBytes(v).toString("latin1");
}

/** Headers that belong to one connection, never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
]);

/** Name/value pairs of a Node message's raw headers, lower-cased, hop-by-hop removed. */
export function rawPairs(raw: string[], skip?: Set<string>): Pair[] {
  const out: Pair[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i].toLowerCase();
    if (HOP_BY_HOP.has(k) || skip?.has(k)) continue;
    out.push([k, fromWire(raw[i + 1])]);
  }
  return out;
}

export function first(pairs: Pair[], name: string): string | undefined {
  for (const [k, v] of pairs) if (k === name) return v;
  return undefined;
}

/**
 * The headers to put on the wire: pseudo and hop-by-hop headers dropped, invalid names or
 * values dropped (reported through `bad`), as a flat [k, v, k, v…] list for Node.
 */
export function wirePairs(pairs: Pair[], bad: (name: string) => void): string[] {
  const out: string[] = [];
  for (const [k, value] of pairs) {
    if (k.startsWith(":") || HOP_BY_HOP.has(k)) continue;
    const v = toWire(value);
    try {
      http.validateHeaderName(k);
      http.validateHeaderValue(k, v);
    } catch {
      bad(k);
      continue;
    }
    out.push(k, v);
  }
  return out;
}

/** Replaces (or adds) a header in a flat list. */
export function setWire(flat: string[], name: string, value: string): void {
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i] === name) {
      flat[i + 1] = value;
      for (let j = flat.length - 2; j > i; j -= 2) if (flat[j] === name) flat.splice(j, 2);
      return;
    }
  }
  flat.push(name, value);
}

/** Removes every entry of a header from a flat list. */
export function removeWire(flat: string[], name: string): void {
  for (let i = flat.length - 2; i >= 0; i -= 2) if (flat[i] === name) flat.splice(i, 2);
}

/** The first value of a header in a flat list. */
export function wireValue(flat: string[], name: string): string | undefined {
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === name) return flat[i + 1];
  return undefined;
}

/** Envoy's `:authority`, `:path` and `:scheme` of an HTTP/1 request, or null for a bad target. */
export interface RequestTarget {
  authority: string;
  path: string;
  scheme: string;
}

/**
 * The request target as Envoy's HTTP/1 codec reads it: origin form (`/x?y`, or `*` for OPTIONS)
 * keeps the Host header as `:authority`; absolute form (`http://example.com/x`) gives
 * `:authority` and `:path` from the URL and ignores Host (RFC 9112 §3.2.2); a scheme other than
 * http or https, or a target that is neither form, is a bad request.
 */
export function requestTarget(url: string, host: string | undefined): RequestTarget | null {
  if (url.startsWith("/") || url === "*") {
    return { authority: fromWire(host ?? ""), path: url, scheme: "http" };
  }
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^#]*)$/.exec(url);
  if (!m || m[2] === "" || m[2].includes("@")) return null;
  const scheme = m[1].toLowerCase();
  if (scheme !== "http" && scheme !== "https") return null;
  const rest = m[3];
  return {
    authority: m[2],
    path: rest === "" ? "/" : rest.startsWith("?") ? `/${rest}` : rest,
    scheme,
  };
}

/** What the filters changed: "+name" added, "-name" removed, "~name" changed. */
export function headerChanges(before: Pair[], after: Pair[]): string[] {
  // Most filters only add headers or change none: `after` begins with `before`, entry for
  // entry. That case needs no grouping (kept to short lists: it compares names pairwise).
  let same = 0;
  const n = Math.min(before.length, after.length);
  while (same < n && before[same][0] === after[same][0] && before[same][1] === after[same][1])
    same++;
  if (same < before.length || before.length > 64) return groupedChanges(before, after);
  const out: string[] = [];
  if (after.length === same) return out;
  for (let i = 0; i < same; i++) {
    const k = before[i][0];
    if (!hasName(before, k, 0, i) && hasName(after, k, same, after.length)) out.push(`~${k}`);
  }
  for (let i = same; i < after.length; i++) {
    const k = after[i][0];
    if (!hasName(after, k, 0, i)) out.push(`+${k}`);
  }
  return out;
}

/** Whether `pairs[from..end)` has an entry named `k`. */
function hasName(pairs: Pair[], k: string, from: number, end: number): boolean {
  for (let i = from; i < end; i++) if (pairs[i][0] === k) return true;
  return false;
}

function groupedChanges(before: Pair[], after: Pair[]): string[] {
  const group = (pairs: Pair[]) => {
    const m = new Map<string, string[]>();
    for (const [k, v] of pairs) {
      const l = m.get(k);
      if (l) l.push(v);
      else m.set(k, [v]);
    }
    return m;
  };
  const a = group(before);
  const b = group(after);
  const out: string[] = [];
  for (const [k, v] of b) {
    const old = a.get(k);
    if (!old) out.push(`+${k}`);
    else if (old.join("\0") !== v.join("\0")) out.push(`~${k}`);
  }
  for (const k of a.keys()) if (!b.has(k)) out.push(`-${k}`);
  return out;
}

/** Node's trailers as pairs (lower-cased). */
export function trailerPairs(raw: string[]): Pair[] {
  return rawPairs(raw);
}

/** A flat list → an object for `addTrailers`. */
export function trailerObject(pairs: Pair[]): [string, string][] {
  return pairs.filter(([k]) => !k.startsWith(":")).map(([k, v]) => [k, toWire(v)]);
}
