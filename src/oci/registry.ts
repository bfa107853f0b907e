// A client for the OCI distribution API: blobs and manifests over HTTP(S), with basic and
// bearer-token authentication and a digest check on everything it downloads.
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

export type Action = "pull" | "push";

export interface ClientOptions {
  /** Talk plain HTTP instead of HTTPS. */
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
    readonly kind: "auth" | "not-found" | "unreachable" | "protocol" | "digest",
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

async function errorDetail(res: Response): Promise<string> {
  let text = "";
  try {
    text = await res.text();
  } catch {
    return `HTTP ${res.status}`;
  }
  try {
    const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
    if (Array.isArray(body.errors) && body.errors.length > 0) {
      return body.errors.map((e) => [e.code, e.message].filter(Boolean).join(": ")).join("; ");
    }
  } catch {
    // not JSON
  }
  const short = text.trim().slice(0, 200);
  return short ? `HTTP ${res.status}: ${short}` : `HTTP ${res.status}`;
}

export class RegistryClient {
  readonly baseUrl: string;
  private authorization: string | undefined;
  private credentials: Credentials | null | undefined;
  private readonly timeoutMs: number;

  constructor(
    readonly ref: Reference,
    readonly actions: Action[],
    options: ClientOptions = {},
  ) {
    this.baseUrl = `${options.insecure ? "http" : "https"}://${ref.apiHost}`;
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

  private async send(
    method: string,
    url: string,
    headers: Record<string, string>,
    body: Uint8Array | undefined,
  ): Promise<Response> {
    const h: Record<string, string> = { ...headers };
    if (this.authorization) h.authorization = this.authorization;
    try {
      return await fetch(url, {
        method,
        headers: h,
        body: body as Uint8Array<ArrayBuffer> | undefined,
        redirect: "follow",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const detail = describeCause(err);
      const origin = new URL(url).origin;
      let hint = "";
      if (url.startsWith("https:") && tlsHints.test(detail)) {
        hint = "; if the registry serves plain HTTP, pass --insecure";
      }
      throw new RegistryError(
        `cannot reach registry ${this.ref.registry} at ${origin}: ${detail}${hint}`,
        "unreachable",
      );
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
    const tokenUrl = new URL(challenge.params.realm);
    if (challenge.params.service) tokenUrl.searchParams.set("service", challenge.params.service);
    const scopes = new Set([this.scope]);
    if (challenge.params.scope) scopes.add(challenge.params.scope);
    for (const scope of scopes) tokenUrl.searchParams.append("scope", scope);
    const headers: Record<string, string> = { accept: "application/json" };
    if (creds) headers.authorization = basicAuthorization(creds);
    let res: Response;
    try {
      res = await fetch(tokenUrl, { headers, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      throw new RegistryError(
        `cannot reach the token service of ${this.ref.registry} at ${tokenUrl.origin}: ${describeCause(err)}`,
        "unreachable",
      );
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw this.authFailed();
    }
    if (!res.ok) {
      throw new RegistryError(
        `the token service of ${this.ref.registry} answered ${await errorDetail(res)}`,
        "auth",
        res.status,
      );
    }
    const body = (await res.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) {
      throw new RegistryError(
        `the token service of ${this.ref.registry} returned no token`,
        "auth",
      );
    }
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
    let res = await this.send(method, url, headers, body);
    if (res.status !== 401) return res;
    await res.body?.cancel();
    const hadAuthorization = this.authorization;
    await this.authenticate(res.headers.get("www-authenticate"));
    if (hadAuthorization === this.authorization && hadAuthorization?.startsWith("Basic")) {
      throw this.authFailed();
    }
    res = await this.send(method, url, headers, body);
    if (res.status === 401) {
      await res.body?.cancel();
      throw this.authFailed();
    }
    return res;
  }

  private async unexpected(res: Response, what: string): Promise<RegistryError> {
    const detail = await errorDetail(res);
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

  /** Fetches a manifest by tag or digest and checks its digest. */
  async getManifest(reference: string): Promise<FetchedManifest> {
    const res = await this.request("GET", this.path("manifests", reference), {
      accept: manifestAccept,
    });
    if (res.status === 404) {
      const detail = await errorDetail(res);
      const shown = formatReference({
        ...this.ref,
        tag: reference.startsWith("sha256:") ? undefined : reference,
        digest: reference.startsWith("sha256:") ? reference : undefined,
      });
      throw new RegistryError(`${shown} not found (${detail})`, "not-found", 404);
    }
    if (!res.ok) throw await this.unexpected(res, `fetching manifest ${reference}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = sha256Digest(bytes);
    const what = `manifest ${reference} from ${this.ref.registry}/${this.ref.repository}`;
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

  /** Downloads a blob and checks its size and digest. */
  async getBlob(desc: Descriptor): Promise<Buffer> {
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
    const data = Buffer.from(await res.arrayBuffer());
    const what = `blob ${desc.digest} from ${this.ref.registry}/${this.ref.repository}`;
    const actual = sha256Digest(data);
    if (actual !== desc.digest) {
      throw new RegistryError(
        `digest mismatch for ${what}: the content hashes to ${actual} (${data.length} bytes); ` +
          `the registry's copy is corrupted or was changed`,
        "digest",
      );
    }
    if (typeof desc.size === "number" && data.length !== desc.size) {
      throw new RegistryError(
        `size mismatch for ${what}: expected ${desc.size} bytes, got ${data.length}`,
        "digest",
      );
    }
    return data;
  }
}
