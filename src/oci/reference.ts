// Image references: [oci://]REGISTRY[:PORT]/REPOSITORY[:TAG][@sha256:DIGEST]

import { isDigest } from "./types.js";

export interface Reference {
  /** The registry as written ("docker.io", "127.0.0.1:5000", "ghcr.io"). */
  registry: string;
  /** The host[:port] the API is served from (docker.io → registry-1.docker.io). */
  apiHost: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const component = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const repositoryPattern = new RegExp(`^${component}(?:/${component})*$`);
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Parses an image reference; a reference with neither tag nor digest means ":latest". */
export function parseReference(input: string): Reference {
  let rest = input.trim();
  for (const scheme of ["oci://", "docker://"]) {
    if (rest.startsWith(scheme)) rest = rest.slice(scheme.length);
  }
  if (rest === "") throw new Error("empty image reference");
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) {
      throw new Error(`bad digest in "${input}": expected sha256: and 64 hex digits`);
    }
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!tagPattern.test(tag)) throw new Error(`bad tag "${tag}" in "${input}"`);
  }
  const first = rest.indexOf("/");
  let registry = "docker.io";
  let repository = rest;
  if (first >= 0) {
    const head = rest.slice(0, first);
    if (head.includes(".") || head.includes(":") || head === "localhost" || /[A-Z]/.test(head)) {
      registry = head;
      repository = rest.slice(first + 1);
    }
  }
  if (registry === "docker.io" && !repository.includes("/")) repository = `library/${repository}`;
  if (!repositoryPattern.test(repository)) {
    throw new Error(
      `bad repository name "${repository}" in "${input}" (lower-case letters, digits, ".", "_", "-", "/")`,
    );
  }
  if (tag === undefined && digest === undefined) tag = "latest";
  const apiHost = registry === "docker.io" ? "registry-1.docker.io" : registry;
  return { registry, apiHost, repository, tag, digest };
}

/** The reference written back out, e.g. "127.0.0.1:5000/filters/hello:v1". */
export function formatReference(ref: Reference): string {
  let s = `${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** True for a loopback registry host (localhost, 127.x.x.x, [::1]), with or without a port. */
export function isLoopback(registry: string): boolean {
  const host = registry.startsWith("[")
    ? registry.slice(1, registry.indexOf("]"))
    : registry.split(":")[0];
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}
