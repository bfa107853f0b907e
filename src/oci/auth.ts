// Registry credentials: from the environment, from ~/.docker/config.json (inline `auth`, credential
// helpers) or from the containers auth.json that podman and skopeo write. Never printed.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface Credentials {
  username: string;
  password: string;
  /** Where they came from, for messages ("PROXY_WASM_AS_REGISTRY_USER", "~/.docker/config.json"). */
  source: string;
}

export const userEnv = "PROXY_WASM_AS_REGISTRY_USER";
export const passwordEnv = "PROXY_WASM_AS_REGISTRY_PASSWORD";

interface AuthFile {
  auths?: Record<
    string,
    { auth?: string; username?: string; password?: string; identitytoken?: string }
  >;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** The keys an auth file may use for a registry ("host", "https://host", "https://host/v1/"). */
function keysFor(registry: string): string[] {
  const keys = [
    registry,
    `https://${registry}`,
    `http://${registry}`,
    `https://${registry}/v1/`,
    `https://${registry}/v2/`,
  ];
  if (registry === "docker.io" || registry === "registry-1.docker.io") {
    keys.push(
      "https://index.docker.io/v1/",
      "index.docker.io",
      "docker.io",
      "registry-1.docker.io",
    );
  }
  return keys;
}

function readAuthFile(path: string): AuthFile | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as AuthFile;
  } catch {
    return undefined;
  }
}

function decodeAuth(entry: {
  auth?: string;
  username?: string;
  password?: string;
}): { username: string; password: string } | undefined {
  if (entry.auth) {
    const text = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = text.indexOf(":");
    if (colon > 0) return { username: text.slice(0, colon), password: text.slice(colon + 1) };
  }
  if (entry.username && entry.password)
    return { username: entry.username, password: entry.password };
  return undefined;
}

function fromHelper(
  helper: string,
  registry: string,
): { username: string; password: string } | undefined {
  for (const server of [registry, `https://${registry}`]) {
    const result = spawnSync(`docker-credential-${helper}`, ["get"], {
      input: server,
      encoding: "utf8",
      timeout: 30_000,
    });
    if (result.status !== 0 || !result.stdout) continue;
    try {
      const parsed = JSON.parse(result.stdout) as { Username?: string; Secret?: string };
      if (parsed.Username && parsed.Secret)
        return { username: parsed.Username, password: parsed.Secret };
    } catch {
      // a helper that prints something else has nothing for us
    }
  }
  return undefined;
}

function fromFile(path: string, label: string, registry: string): Credentials | undefined {
  const file = readAuthFile(path);
  if (!file) return undefined;
  const keys = keysFor(registry);
  for (const key of keys) {
    const helper = file.credHelpers?.[key];
    if (helper) {
      const found = fromHelper(helper, registry);
      if (found) return { ...found, source: `docker-credential-${helper} (${label})` };
    }
  }
  for (const key of keys) {
    const entry = file.auths?.[key];
    const found = entry && decodeAuth(entry);
    if (found) return { ...found, source: label };
  }
  if (file.credsStore) {
    const found = fromHelper(file.credsStore, registry);
    if (found) return { ...found, source: `docker-credential-${file.credsStore} (${label})` };
  }
  return undefined;
}

/**
 * Finds credentials for a registry: PROXY_WASM_AS_REGISTRY_USER / _PASSWORD first, then
 * $DOCKER_CONFIG/config.json (default ~/.docker/config.json), then the containers auth.json
 * ($REGISTRY_AUTH_FILE, $XDG_RUNTIME_DIR/containers/auth.json, ~/.config/containers/auth.json).
 */
export function findCredentials(
  registry: string,
  env: NodeJS.ProcessEnv = process.env,
): Credentials | undefined {
  const user = env[userEnv];
  const password = env[passwordEnv];
  if (user !== undefined && user !== "" && password !== undefined) {
    return { username: user, password, source: `${userEnv}/${passwordEnv}` };
  }
  const home = env.HOME ?? homedir();
  const candidates: [string, string][] = [];
  if (env.DOCKER_CONFIG)
    candidates.push([join(env.DOCKER_CONFIG, "config.json"), "$DOCKER_CONFIG/config.json"]);
  else candidates.push([join(home, ".docker", "config.json"), "~/.docker/config.json"]);
  if (env.REGISTRY_AUTH_FILE) candidates.push([env.REGISTRY_AUTH_FILE, "$REGISTRY_AUTH_FILE"]);
  if (env.XDG_RUNTIME_DIR) {
    candidates.push([
      join(env.XDG_RUNTIME_DIR, "containers", "auth.json"),
      "$XDG_RUNTIME_DIR/containers/auth.json",
    ]);
  }
  candidates.push([
    join(home, ".config", "containers", "auth.json"),
    "~/.config/containers/auth.json",
  ]);
  for (const [path, label] of candidates) {
    const found = fromFile(path, label, registry);
    if (found) return found;
  }
  return undefined;
}

/** One challenge from a WWW-Authenticate header: scheme plus its parameters. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses `Bearer realm="…",service="…",scope="…"` / `Basic realm="…"` (first challenge wins). */
export function parseChallenge(header: string): Challenge | undefined {
  const match = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(match[2])) !== null) {
    params[m[1].toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3];
  }
  return { scheme: match[1].toLowerCase(), params };
}

export function basicAuthorization(creds: { username: string; password: string }): string {
  return "Basic " + Buffer.from(`${creds.username}:${creds.password}`, "utf8").toString("base64");
}
