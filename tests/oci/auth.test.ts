// Registry authentication against real registries: docker-registry with htpasswd basic auth, and
// bearer tokens (a small token service in front of docker-registry, as Docker Hub, GHCR, Harbor…
// do it). Wrong credentials give a clear error and are never printed.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  bcryptHash,
  cleanEnv,
  cli,
  startRegistry,
  tempDir,
  tinyWasm,
  uniqueRepo,
  type Registry,
} from "./helpers.js";
import { toolSkip } from "../tools.js";

const user = "tester";
const password = "right-password-123";
const wrong = "wrong-password-456";

let hash: string | undefined;
let dir: { path: string; remove(): Promise<void> };
let wasmPath: string;
const wasm = tinyWasm("auth test");

before(async () => {
  hash = await bcryptHash(password);
  dir = await tempDir();
  wasmPath = join(dir.path, "plugin.wasm");
  writeFileSync(wasmPath, wasm);
});
after(() => dir?.remove());

const env = (u?: string, p?: string) =>
  cleanEnv(
    u === undefined
      ? {}
      : { PROXY_WASM_AS_REGISTRY_USER: u, PROXY_WASM_AS_REGISTRY_PASSWORD: p ?? "" },
    dir.path,
  );

const noRegistry = toolSkip("docker-registry", "docker-registry");

describe("basic auth (docker-registry with htpasswd)", { skip: noRegistry }, () => {
  let registry: Registry | undefined;
  before(async (t) => {
    if (hash === undefined) return;
    registry = await startRegistry({ htpasswd: `${user}:${hash}\n` });
  });
  after(() => registry?.stop());

  it("pushes and pulls with credentials from the environment", async (t) => {
    if (!registry)
      return t.skip("no bcrypt available (bcryptjs or python3 crypt) to write an htpasswd file");
    const ref = `${registry.host}/${uniqueRepo("basic")}:v1`;
    let r = await cli(["push", "--wasm", wasmPath, ref, "--insecure"], {
      env: env(user, password),
    });
    assert.equal(r.code, 0, r.stderr);
    const out = join(dir.path, "basic.wasm");
    r = await cli(["pull", ref, "--insecure", "--out", out], { env: env(user, password) });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readFileSync(out), wasm);
    assert.ok(
      !r.stderr.includes(password) && !r.stdout.includes(password),
      "password never printed",
    );
  });

  it("reads ~/.docker/config.json (DOCKER_CONFIG) auths", async (t) => {
    if (!registry) return t.skip("no bcrypt available");
    const configDir = join(dir.path, "docker-config");
    mkdirSync(configDir, { recursive: true });
    writeFileSync(
      join(configDir, "config.json"),
      JSON.stringify({
        auths: { [registry.host]: { auth: Buffer.from(`${user}:${password}`).toString("base64") } },
      }),
    );
    const ref = `${registry.host}/${uniqueRepo("dockercfg")}:v1`;
    const r = await cli(["push", "--wasm", wasmPath, ref, "--insecure"], {
      env: { ...env(), DOCKER_CONFIG: configDir },
    });
    assert.equal(r.code, 0, r.stderr);
  });

  it("says authentication failed on wrong credentials, without printing them", async (t) => {
    if (!registry) return t.skip("no bcrypt available");
    const ref = `${registry.host}/${uniqueRepo("wrong")}:v1`;
    for (const args of [
      ["push", "--wasm", wasmPath, ref, "--insecure"],
      ["pull", ref, "--insecure", "--out", join(dir.path, "x.wasm")],
    ]) {
      const r = await cli(args, { env: env(user, wrong) });
      assert.equal(r.code, 1);
      assert.match(
        r.stderr,
        new RegExp(
          `authentication failed for ${registry.host.replace(/\./g, "\\.")}: check the user name and password from PROXY_WASM_AS_REGISTRY_USER`,
        ),
      );
      assert.ok(!r.stderr.includes(wrong) && !r.stdout.includes(wrong), "password never printed");
    }
  });

  it("says authentication is required when there are no credentials", async (t) => {
    if (!registry) return t.skip("no bcrypt available");
    const r = await cli(["pull", `${registry.host}/x/y:v1`, "--insecure"], { env: env() });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /authentication required for 127\.0\.0\.1:\d+: set PROXY_WASM_AS_REGISTRY_USER/,
    );
  });
});

/** A token service plus a gate in front of docker-registry that only lets bearer tokens through. */
async function bearerGate(
  backend: Registry,
): Promise<{ host: string; scopes: string[]; close(): Promise<void> }> {
  const tokens = new Set<string>();
  const scopes: string[] = [];
  let origin = "";
  const expected = "Basic " + Buffer.from(`${user}:${password}`).toString("base64");
  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", origin);
    if (url.pathname === "/token") {
      scopes.push(...url.searchParams.getAll("scope"));
      if (req.headers.authorization !== expected || url.searchParams.get("service") !== "gate") {
        res
          .writeHead(401, { "content-type": "application/json" })
          .end('{"details":"bad credentials"}');
        return;
      }
      const token = `tok-${tokens.size + 1}`;
      tokens.add(token);
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ token }));
      return;
    }
    const auth = req.headers.authorization ?? "";
    if (!auth.startsWith("Bearer ") || !tokens.has(auth.slice(7))) {
      const repo = /^\/v2\/(.+?)\/(?:blobs|manifests)\//.exec(url.pathname)?.[1] ?? "";
      res
        .writeHead(401, {
          "www-authenticate": `Bearer realm="${origin}/token",service="gate",scope="repository:${repo}:pull"`,
          "content-type": "application/json",
        })
        .end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (typeof v === "string" && !["authorization", "host", "connection"].includes(k))
        headers[k] = v;
    }
    const upstream = await fetch(backend.url + url.pathname + url.search, {
      method: req.method,
      headers,
      body: chunks.length ? Buffer.concat(chunks) : undefined,
      redirect: "manual",
    });
    const out: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (k === "location") out[k] = v.replace(backend.url, origin);
      else if (
        !["content-encoding", "transfer-encoding", "connection", "content-length"].includes(k)
      )
        out[k] = v;
    });
    const body = Buffer.from(await upstream.arrayBuffer());
    res.writeHead(upstream.status, out).end(req.method === "HEAD" ? undefined : body);
  };
  const server: Server = createServer((req, res) => {
    handler(req, res).catch((err) => res.writeHead(500).end(String(err)));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  origin = `http://127.0.0.1:${port}`;
  return {
    host: `127.0.0.1:${port}`,
    scopes,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

describe(
  "bearer-token auth (token service in front of docker-registry)",
  { skip: noRegistry },
  () => {
    let backend: Registry;
    let gate: Awaited<ReturnType<typeof bearerGate>>;
    before(async () => {
      backend = await startRegistry();
      gate = await bearerGate(backend);
    });
    // A before-hook that failed leaves these unset: nothing to close, and no second error.
    after(async () => {
      await gate?.close();
      await backend?.stop();
    });

    it("gets a token with the credentials and pushes and pulls with it", async () => {
      const repo = uniqueRepo("bearer");
      const ref = `${gate.host}/${repo}:v1`;
      let r = await cli(["push", "--wasm", wasmPath, "--variant", "oci", ref, "--insecure"], {
        env: env(user, password),
      });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(
        gate.scopes.includes(`repository:${repo}:pull,push`),
        `push asks for push scope: ${gate.scopes}`,
      );
      const out = join(dir.path, "bearer.wasm");
      r = await cli(["pull", ref, "--insecure", "--out", out], { env: env(user, password) });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(readFileSync(out), wasm);
    });

    it("says authentication failed when the token service refuses the credentials", async () => {
      const r = await cli(["pull", `${gate.host}/x/y:v1`, "--insecure"], { env: env(user, wrong) });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /authentication failed for 127\.0\.0\.1:\d+: check/);
      assert.ok(!r.stderr.includes(wrong));
    });
  },
);
