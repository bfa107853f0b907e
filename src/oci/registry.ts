// A client for the OCI distribution API: blobs and manifests over HTTP(S), with basic and
// bearer-token authentication and a digest check on everything it downloads.
//
// Hardening rules:
// - Nothing is read whole before its size is known to be sane: manifests stop at 4 MiB, blobs
//   stop as soon as they exceed their declared size, and layers stream to disk (digest computed
//   while streaming; a partial file is removed on failure).
// - Credentials (the basic header and the bearer token) go only to the registry's own origin,
//   and the basic credentials also to the token service the registry names; redirects and
//   upload locations elsewhere are followed without them. Nothing is sent over plain HTTP
//   unless the client was made with `insecure` (--insecure) for this registry.
// - Error bodies are redacted (Authorization/Bearer/Basic values, the password and token,
//   token/password JSON fields) and cut short before they are printed.
import { createHash } from "node:crypto";
import { open, rm } from "node:fs/promises";
import {
  basicAuthorization,
  findCredentials,
  parseChallenge,
  passwordEnv,
  userEnv,
  type Credentials,
} from "./auth.js";
import { formatReference, type Reference } from "./reference.js";
import { manifestAccept, sha256Digest, verifyDigest, type Descriptor } from "./types.js";

/** Manifests larger than this are refused (distribution and most registries stop at 4 MiB). */
export const maxManifestBytes = 4 * 1024 * 1024;
/** Blobs read into memory (image configs, the Wasm config) are refused beyond this size. */
export const maxInMemoryBlobBytes = 4 * 1024 * 1024;
/** How much of an error body is read, and how much of it is printed. */
const errorBodyReadLimit = 64 * 1024;
const errorPrintLimit = 300;
const maxRedirects = 5;

export type Action = "pull" | "push";

export interface ClientOptions {
  /** Talk plain HTTP instead of HTTPS (and allow credentials over plain HTTP). */
  insecure?: boolean;
  /** Credentials to use; `null` for anonymous access; looked up (env, docker config) when omitted. */
  credentials?: Credentials | null;
  /** Per-request timeout, 120 s when omitted. */
  timeoutMs?: number;
}

/** A failure talking to a registry; `kind` tells the CLI what sort it was. */
export class RegistryError extends Error {
  constructor(
    message: string,
    readonly kind: "auth" | "not-found" | "unreachable" | "protocol" | "digest" | "too-large",
    readonly status?: number,
  ) {
    super(message);
    this.name = "RegistryError";
  }
}

export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

function describeCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const firstLine = (text: string) => text.split("\n")[0].trim();
  if (cause?.code?.startsWith("ERR_SSL")) return `${cause.code} (TLS handshake failed)`;
  if (cause?.code) return cause.message ? `${cause.code}: ${firstLine(cause.message)}` : cause.code;
  if (cause?.message) return firstLine(cause.message);
  return err instanceof Error ? firstLine(err.message) : String(err);
}

const tlsHints = /SSL|TLS|EPROTO|CERT|certificate|wrong version/i;

export function humanBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 * 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 / 1024 / 1024).toFixed(1)} GiB`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Removes anything credential-shaped from text a registry sent: Authorization header values,
 * Bearer/Basic credentials, token/access_token/refresh_token/password/secret JSON fields and
 * `token=` query parameters, and each of `secrets` wherever it appears literally.
 */
export function redactSecrets(text: string, secrets: Iterable<string | undefined> = []): string {
  let out = text;
  const literal = [...new Set([...secrets].filter((s): s is string => !!s && s.length >= 4))];
  literal.sort((a, b) => b.length - a.length);
  for (const secret of literal) {
    out = out.replace(new RegExp(escapeRegExp(secret), "g"), "[redacted]");
  }
  out = out
    .replace(
      /("(?:token|access_token|refresh_token|id_token|identitytoken|password|secret|auth)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi,
      '$1"[redacted]"',
    )
    .replace(/\b((?:proxy-)?authorization)(\\?"?\s*[:=]\s*\\?"?)[^"\\\r\n,}]*/gi, "$1$2[redacted]")
    .replace(/\b(Bearer|Basic)\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]+/gi, "$1 [redacted]")
    .replace(/([?&](?:access_)?token=)[^&\s"]*/gi, "$1[redacted]");
  return out;
}

/** Cuts printed text to `limit` characters. */
function capText(text: string, limit = errorPrintLimit): string {
  return text.length > limit
    ? `${text.slice(0, limit)}… (${text.length - limit} more characters)`
    : text;
}

/** Reads at most `limit` bytes of a body (the rest is cancelled). */
async function readSome(res: Response, limit: number): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body) {
    const c = Buffer.from(chunk as Uint8Array);
    chunks.push(c.subarray(0, Math.max(0, limit - total)));
    total += c.length;
    if (total >= limit) break;
  }
  return Buffer.concat(chunks);
}

/** The declared Content-Length, when the response gives a valid one. */
function contentLength(res: Response): number | undefined {
  const text = res.headers.get("content-length");
  if (text === null || !/^\d+$/.test(text.trim())) return undefined;
  return Number(text);
}

export class RegistryClient {
  readonly baseUrl: string;
  /** The registry's origin: the only one that ever sees the credentials or the token. */
  readonly origin: string;
  readonly insecure: boolean;
  private authorization: string | undefined;
  private token: string | undefined;
  private credentials: Credentials | null | undefined;
  private readonly timeoutMs: number;

  constructor(
    readonly ref: Reference,
    readonly actions: Action[],
    options: ClientOptions = {},
  ) {
    this.insecure = options.insecure ?? false;
    this.baseUrl = `${this.insecure ? "http" : "https"}://${ref.apiHost}`;
    this.origin = new URL(this.baseUrl).origin;
    this.credentials = options.credentials;
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  private get scope(): string {
    return `repository:${this.ref.repository}:${this.actions.join(",")}`;
  }

  private creds(): Credentials | null {
    if (this.credentials === undefined)
      this.credentials = findCredentials(this.ref.registry) ?? null;
    return this.credentials;
  }

  /** Everything that must never be printed. */
  private secrets(): string[] {
    const creds = this.credentials ?? undefined;
    const out: string[] = [];
    if (creds) {
      out.push(creds.password, encodeURIComponent(creds.password));
      out.push(basicAuthorization(creds).slice("Basic ".length));
    }
    if (this.token) out.push(this.token);
    return out;
  }

  /** Redacts and shortens a registry's error body for printing. */
  private async errorDetail(res: Response): Promise<string> {
    let text: string;
    try {
      text = (await readSome(res, errorBodyReadLimit)).toString("utf8");
    } catch {
      return `HTTP ${res.status}`;
    }
    let detail = "";
    try {
      const body = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] };
      if (Array.isArray(body.errors) && body.errors.length > 0) {
        detail = body.errors
          .map((e) =>
            [e?.code, e?.message].filter((v) => typeof v === "string" && v !== "").join(": "),
          )
          .filter(Boolean)
          .join("; ");
      }
    } catch {
      // not JSON
    }
    if (detail) return capText(redactSecrets(detail, this.secrets()));
    const short = capText(redactSecrets(text.trim(), this.secrets()));
    return short ? `HTTP ${res.status}: ${short}` : `HTTP ${res.status}`;
  }

  private authFailed(): RegistryError {
    const creds = this.creds();
    if (!creds) {
      return new RegistryError(
        `authentication required for ${this.ref.registry}: set ${userEnv} and ${passwordEnv}, ` +
          `or log in with \`docker login ${this.ref.registry}\``,
        "auth",
        401,
      );
    }
    return new RegistryError(
      `authentication failed for ${this.ref.registry}: check the user name and password from ` +
        `${creds.source} (${userEnv} / ${passwordEnv}, or \`docker login ${this.ref.registry}\`)`,
      "auth",
      401,
    );
  }

  /** May `authorization` go to this URL? Only to `allowedOrigin`, and over HTTP only if insecure. */
  private mayCarry(url: URL, allowedOrigin: string): boolean {
    if (url.origin !== allowedOrigin) return false;
    return url.protocol === "https:" || this.insecure;
  }

  /**
   * One request, following redirects by hand: `authorization` goes only to `allowedOrigin`
   * (a redirect to a storage host gets the request without it). Returns the final response and
   * the URL it came from.
   */
  private async send(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: Uint8Array | undefined,
    authorization: string | undefined = this.authorization,
    allowedOrigin: string = this.origin,
  ): Promise<{ res: Response; url: URL }> {
    let target = new URL(url);
    let m = method;
    let b = body;
    let h: Record<string, string> = { ...headers };
    for (let hop = 0; ; hop++) {
      const sentHeaders = { ...h };
      if (authorization && this.mayCarry(target, allowedOrigin)) {
        sentHeaders.authorization = authorization;
      }
      let res: Response;
      try {
        res = await fetch(target, {
          method: m,
          headers: sentHeaders,
          body: b as Uint8Array<ArrayBuffer> | undefined,
          redirect: "manual",
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (err) {
        const detail = describeCause(err);
        let hint = "";
        if (target.protocol === "https:" && tlsHints.test(detail)) {
          hint = "; if the registry serves plain HTTP, pass --insecure";
        }
        const where =
          target.origin === this.origin
            ? `registry ${this.ref.registry} at ${target.origin}`
            : `${target.origin} (where ${this.ref.registry} sent us)`;
        throw new RegistryError(`cannot reach ${where}: ${detail}${hint}`, "unreachable");
      }
      const location = res.headers.get("location");
      if (![301, 302, 303, 307, 308].includes(res.status) || !location) {
        return { res, url: target };
      }
      await res.body?.cancel();
      if (hop >= maxRedirects) {
        throw new RegistryError(
          `${this.ref.registry} redirected more than ${maxRedirects} times (last to ${new URL(location, target).origin})`,
          "protocol",
        );
      }
      const next = new URL(location, target);
      if (next.protocol !== "https:" && next.protocol !== "http:") {
        throw new RegistryError(
          `${this.ref.registry} redirected to an unsupported URL scheme ${next.protocol}`,
          "protocol",
        );
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && m === "POST")) {
        m = m === "HEAD" ? "HEAD" : "GET";
        b = undefined;
        h = Object.fromEntries(
          Object.entries(h).filter(([k]) => !["content-length", "content-type"].includes(k)),
        );
      }
      target = next;
    }
  }

  /** Answers a 401 challenge by setting `this.authorization`. */
  private async authenticate(header: string | null): Promise<void> {
    const challenge = header ? parseChallenge(header) : undefined;
    const creds = this.creds();
    if (!challenge) throw this.authFailed();
    if (challenge.scheme === "basic") {
      if (!creds) throw this.authFailed();
      this.authorization = basicAuthorization(creds);
      return;
    }
    if (challenge.scheme !== "bearer" || !challenge.params.realm) {
      throw new RegistryError(
        `${this.ref.registry} asks for an unsupported authentication scheme "${challenge.scheme}"`,
        "auth",
        401,
      );
    }
    let tokenUrl: URL;
    try {
      tokenUrl = new URL(challenge.params.realm);
    } catch {
      throw new RegistryError(
        `${this.ref.registry} names a token service that is not a URL: ${capText(challenge.params.realm, 100)}`,
        "auth",
        401,
      );
    }
    if (tokenUrl.protocol !== "https:" && tokenUrl.protocol !== "http:") {
      throw new RegistryError(
        `${this.ref.registry} names a token service with an unsupported scheme ${tokenUrl.protocol}`,
        "auth",
        401,
      );
    }
    if (creds && tokenUrl.protocol === "http:" && !this.insecure) {
      throw new RegistryError(
        `${this.ref.registry} sends us to the token service ${tokenUrl.origin} over plain HTTP; ` +
          `refusing to send the credentials from ${creds.source} there (pass --insecure if ` +
          `you trust this network)`,
        "auth",
        401,
      );
    }
    if (challenge.params.service) tokenUrl.searchParams.set("service", challenge.params.service);
    const scopes = new Set([this.scope]);
    if (challenge.params.scope) scopes.add(challenge.params.scope);
    for (const scope of scopes) tokenUrl.searchParams.append("scope", scope);
    let res: Response;
    try {
      ({ res } = await this.send(
        "GET",
        tokenUrl.toString(),
        { accept: "application/json" },
        undefined,
        creds ? basicAuthorization(creds) : undefined,
        tokenUrl.origin,
      ));
    } catch (err) {
      if (!(err instanceof RegistryError) || err.kind !== "unreachable") throw err;
      throw new RegistryError(
        `cannot reach the token service of ${this.ref.registry} at ${tokenUrl.origin}: ${err.message.replace(/^cannot reach [^:]*: /, "")}`,
        "unreachable",
      );
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw this.authFailed();
    }
    if (!res.ok) {
      throw new RegistryError(
        `the token service of ${this.ref.registry} answered ${await this.errorDetail(res)}`,
        "auth",
        res.status,
      );
    }
    const raw = await readSome(res, 1024 * 1024);
    let body: { token?: unknown; access_token?: unknown } = {};
    try {
      body = JSON.parse(raw.toString("utf8")) as typeof body;
    } catch {
      // no token below
    }
    const token =
      typeof body.token === "string" && body.token
        ? body.token
        : typeof body.access_token === "string"
          ? body.access_token
          : "";
    if (!token) {
      throw new RegistryError(
        `the token service of ${this.ref.registry} returned no token`,
        "auth",
      );
    }
    this.token = token;
    this.authorization = `Bearer ${token}`;
  }

  /** Sends a request, answering one authentication challenge if the registry makes one. */
  async request(
    method: string,
    pathOrUrl: string,
    headers: Record<string, string> = {},
    body?: Uint8Array,
  ): Promise<Response> {
    const url = /^https?:/.test(pathOrUrl) ? pathOrUrl : this.baseUrl + pathOrUrl;
    let sent = await this.send(method, url, headers, body);
    // Only the registry's own challenges are answered: a storage host elsewhere gets nothing.
    if (sent.res.status !== 401 || sent.url.origin !== this.origin) return sent.res;
    await sent.res.body?.cancel();
    const hadAuthorization = this.authorization;
    await this.authenticate(sent.res.headers.get("www-authenticate"));
    if (hadAuthorization === this.authorization && hadAuthorization?.startsWith("Basic")) {
      throw this.authFailed();
    }
    sent = await this.send(method, url, headers, body);
    if (sent.res.status === 401 && sent.url.origin === this.origin) {
      await sent.res.body?.cancel();
      throw this.authFailed();
    }
    return sent.res;
  }

  private async unexpected(res: Response, what: string): Promise<RegistryError> {
    const detail = await this.errorDetail(res);
    if (res.status === 403) {
      return new RegistryError(
        `access denied to ${this.ref.registry}/${this.ref.repository} while ${what}: ${detail}`,
        "auth",
        403,
      );
    }
    return new RegistryError(
      `${this.ref.registry} answered ${res.status} while ${what}: ${detail}`,
      "protocol",
      res.status,
    );
  }

  private path(kind: "blobs" | "manifests", reference: string): string {
    return `/v2/${this.ref.repository}/${kind}/${reference}`;
  }

  /** Checks that the registry speaks the distribution API (and that we may use it). */
  async ping(): Promise<void> {
    const res = await this.request("GET", "/v2/");
    if (!res.ok) throw await this.unexpected(res, "checking the API version");
    await res.body?.cancel();
  }

  async hasBlob(digest: string): Promise<boolean> {
    const res = await this.request("HEAD", this.path("blobs", digest));
    await res.body?.cancel();
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw await this.unexpected(res, `checking blob ${digest}`);
  }

  /** Uploads a blob (POST then PUT with its digest) unless the registry has it; true if sent. */
  async pushBlob(digest: string, data: Uint8Array): Promise<boolean> {
    verifyDigest(data, digest, `blob ${digest} before upload`);
    if (await this.hasBlob(digest)) return false;
    const start = await this.request("POST", `/v2/${this.ref.repository}/blobs/uploads/`, {
      "content-length": "0",
    });
    if (start.status !== 202)
      throw await this.unexpected(start, `starting the upload of ${digest}`);
    await start.body?.cancel();
    const location = start.headers.get("location");
    if (!location)
      throw new RegistryError(`${this.ref.registry} gave no upload location`, "protocol");
    // The location may name another host (a storage service): request() sends it no credentials.
    const target = new URL(location, this.baseUrl + "/").toString();
    const url = `${target}${target.includes("?") ? "&" : "?"}digest=${encodeURIComponent(digest)}`;
    const put = await this.request(
      "PUT",
      url,
      { "content-type": "application/octet-stream", "content-length": String(data.length) },
      data,
    );
    if (put.status !== 201) throw await this.unexpected(put, `uploading blob ${digest}`);
    await put.body?.cancel();
    return true;
  }

  /** Uploads a manifest under a tag or its digest; returns its digest. */
  async putManifest(reference: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    const digest = sha256Digest(bytes);
    const res = await this.request(
      "PUT",
      this.path("manifests", reference),
      { "content-type": mediaType },
      bytes,
    );
    if (res.status !== 201 && res.status !== 200) {
      throw await this.unexpected(res, `uploading manifest ${reference}`);
    }
    await res.body?.cancel();
    const answered = res.headers.get("docker-content-digest");
    if (answered && answered.startsWith("sha256:") && answered !== digest) {
      throw new RegistryError(
        `digest mismatch for manifest ${reference}: sent ${digest}, registry stored ${answered}`,
        "digest",
      );
    }
    return digest;
  }

  /** Fetches a manifest by tag or digest (at most 4 MiB) and checks its digest. */
  async getManifest(reference: string): Promise<FetchedManifest> {
    const res = await this.request("GET", this.path("manifests", reference), {
      accept: manifestAccept,
    });
    if (res.status === 404) {
      const detail = await this.errorDetail(res);
      const shown = formatReference({
        ...this.ref,
        tag: reference.startsWith("sha256:") ? undefined : reference,
        digest: reference.startsWith("sha256:") ? reference : undefined,
      });
      throw new RegistryError(`${shown} not found (${detail})`, "not-found", 404);
    }
    if (!res.ok) throw await this.unexpected(res, `fetching manifest ${reference}`);
    const what = `manifest ${reference} from ${this.ref.registry}/${this.ref.repository}`;
    const tooLarge = () =>
      new RegistryError(
        `${what} is larger than ${humanBytes(maxManifestBytes)}; refusing it (registries ` +
          `accept no manifest that large)`,
        "too-large",
      );
    const declared = contentLength(res);
    if (declared !== undefined && declared > maxManifestBytes) {
      await res.body?.cancel();
      throw tooLarge();
    }
    const bytes = await readSome(res, maxManifestBytes + 1);
    if (bytes.length > maxManifestBytes) throw tooLarge();
    const digest = sha256Digest(bytes);
    if (reference.startsWith("sha256:")) {
      if (digest !== reference) {
        throw new RegistryError(`digest mismatch for ${what}: got ${digest}`, "digest");
      }
    } else {
      const answered = res.headers.get("docker-content-digest");
      if (answered && answered.startsWith("sha256:") && answered !== digest) {
        throw new RegistryError(
          `digest mismatch for ${what}: the registry says ${answered}, the content hashes to ${digest}`,
          "digest",
        );
      }
    }
    let mediaType = (res.headers.get("content-type") ?? "").split(";")[0].trim();
    try {
      const parsed = JSON.parse(bytes.toString("utf8")) as { mediaType?: string };
      if (parsed.mediaType) mediaType = parsed.mediaType;
    } catch {
      throw new RegistryError(`${what} is not JSON`, "protocol");
    }
    return { bytes, mediaType, digest };
  }

  /**
   * Streams a blob to `sink`, stopping as soon as it exceeds its declared size, and checks its
   * size and digest at the end. `maxSize` refuses a blob declared larger before downloading it.
   */
  private async streamBlob(
    desc: Descriptor,
    maxSize: number,
    sink: (chunk: Buffer) => Promise<void> | void,
  ): Promise<void> {
    const what = `blob ${desc.digest} from ${this.ref.registry}/${this.ref.repository}`;
    const size = desc.size;
    if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
      throw new RegistryError(`${what} has no valid size in its descriptor`, "protocol");
    }
    if (size > maxSize) {
      throw new RegistryError(
        `${what} is declared as ${size} bytes (${humanBytes(size)}), more than the ` +
          `${humanBytes(maxSize)} accepted; refusing to download it`,
        "too-large",
      );
    }
    const res = await this.request("GET", this.path("blobs", desc.digest));
    if (res.status === 404) {
      await res.body?.cancel();
      throw new RegistryError(
        `blob ${desc.digest} not found in ${this.ref.registry}/${this.ref.repository}`,
        "not-found",
        404,
      );
    }
    if (!res.ok) throw await this.unexpected(res, `fetching blob ${desc.digest}`);
    const oversize = () =>
      new RegistryError(
        `size mismatch for ${what}: expected ${size} bytes, the registry sends more; stopped ` +
          `reading`,
        "digest",
      );
    const declared = contentLength(res);
    if (declared !== undefined && declared > size) {
      await res.body?.cancel();
      throw oversize();
    }
    const hash = createHash("sha256");
    let received = 0;
    if (res.body) {
      const reader = res.body.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          received += value.length;
          if (received > size) throw oversize();
          const chunk = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
          hash.update(chunk);
          await sink(chunk);
        }
      } catch (err) {
        await reader.cancel().catch(() => {});
        throw err;
      }
    }
    if (received !== size) {
      throw new RegistryError(
        `size mismatch for ${what}: expected ${size} bytes, got ${received}`,
        "digest",
      );
    }
    const actual = "sha256:" + hash.digest("hex");
    if (actual !== desc.digest) {
      throw new RegistryError(
        `digest mismatch for ${what}: the content hashes to ${actual} (${received} bytes); ` +
          `the registry's copy is corrupted or was changed`,
        "digest",
      );
    }
  }

  /** Downloads a small blob into memory (at most `maxSize`, 4 MiB by default), size and digest checked. */
  async getBlob(desc: Descriptor, maxSize = maxInMemoryBlobBytes): Promise<Buffer> {
    let data: Buffer | undefined;
    let at = 0;
    await this.streamBlob(desc, maxSize, (chunk) => {
      // The declared size is known and capped: one allocation, no copies of copies.
      data ??= Buffer.allocUnsafe(desc.size);
      chunk.copy(data, at);
      at += chunk.length;
    });
    return data ?? Buffer.alloc(0);
  }

  /**
   * Streams a blob to a new file at `path` (size and digest checked as it arrives); on any
   * failure the partial file is removed.
   */
  async downloadBlob(desc: Descriptor, path: string, maxSize: number): Promise<void> {
    const file = await open(path, "wx");
    let ok = false;
    try {
      await this.streamBlob(desc, maxSize, async (chunk) => {
        let offset = 0;
        while (offset < chunk.length) {
          const { bytesWritten } = await file.write(chunk, offset);
          offset += bytesWritten;
        }
      });
      ok = true;
    } finally {
      await file.close();
      if (!ok) await rm(path, { force: true });
    }
  }
}
