// What Envoy accepts from a filter: header names and values it can send on (Envoy
// `HeaderUtility::headerNameIsValid` / `headerValueIsValid` and the HTTP codecs' token rule),
// the pseudo-headers a request and a response need, and local reply status codes.
import type { HeaderMap } from "../header_map.js";
import type { LocalResponse } from "../context.js";

/** The pseudo-headers Envoy knows. */
export const PSEUDO_HEADERS = [":method", ":path", ":authority", ":scheme", ":status", ":protocol"];

/** RFC 9110 token characters (lower case: Envoy lower-cases every name). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/** Why `name` is not a header name Envoy sends on, or null. */
export function headerNameProblem(name: string, pseudoAllowed: boolean): string | null {
  if (name === "") return "an empty header name";
  if (name.startsWith(":")) {
    if (!pseudoAllowed) return `pseudo-header ${JSON.stringify(name)} where none may be`;
    return PSEUDO_HEADERS.includes(name) ? null : `unknown pseudo-header ${JSON.stringify(name)}`;
  }
  return TOKEN.test(name) ? null : `header name ${JSON.stringify(name)} is not an HTTP token`;
}

/** Why `value` is not a header value Envoy sends on (NUL, CR or LF in it), or null. */
export function headerValueProblem(name: string, value: string): string | null {
  // NUL, LF and CR are the same in the emulator's strings as in the bytes (pairs.ts keeps only
  // bytes from 0x80 up as lone surrogates), so the string is searched directly.
  const at = value.search(/[\0\n\r]/);
  if (at < 0) return null;
  const b = value.charCodeAt(at);
  return `header ${JSON.stringify(name)} has a ${b === 0 ? "NUL" : b === 0x0a ? "LF" : "CR"} byte in its value ${JSON.stringify(value)}`;
}

/** Every problem of a header map the filter passes on (`what` says which one). */
export function headerProblems(
  what: string,
  headers: Iterable<[string, string]>,
  pseudoAllowed: boolean,
): string[] {
  const out: string[] = [];
  for (const [name, value] of headers) {
    const p = headerNameProblem(name, pseudoAllowed) ?? headerValueProblem(name, value);
    if (p !== null) out.push(`${what}: ${p}`);
  }
  return out;
}

/** Request headers going upstream: valid, with :method and a :path. */
export function requestHeaderProblems(headers: HeaderMap): string[] {
  const out = headerProblems("request headers", headers, true);
  if (!headers.get(":method")) out.push("request headers: no :method");
  const path = headers.get(":path");
  if (!path || !(path.startsWith("/") || path === "*"))
    out.push(`request headers: :path ${JSON.stringify(path ?? null)} does not start with /`);
  return out;
}

/** Response headers going downstream: valid, with a :status from 200 to 599. */
export function responseHeaderProblems(headers: HeaderMap): string[] {
  const out = headerProblems("response headers", headers, true);
  const status = headers.get(":status");
  if (status === undefined || !/^[2-5][0-9][0-9]$/.test(status))
    out.push(`response headers: :status ${JSON.stringify(status ?? null)} is not 200…599`);
  return out;
}

/** A local reply: a status Envoy can send (200…599) and valid headers. */
export function localReplyProblems(reply: LocalResponse): string[] {
  const out: string[] = [];
  if (!Number.isInteger(reply.status) || reply.status < 200 || reply.status > 599)
    out.push(`local reply: status ${reply.status} is not 200…599`);
  out.push(...headerProblems("local reply headers", reply.headers, false));
  return out;
}
