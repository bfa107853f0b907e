// `proxy-wasm-as run` as a user starts it: the listening URL and curl line, requests, Ctrl-C.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ADD_HEADER, repoRoot, startServer } from "./helpers.js";

interface Running {
  child: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Starts the CLI and waits (≤ 20 s) for its curl line. */
function runCli(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "run", ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`no curl line in 20 s\nstdout: ${out}\nstderr: ${err}`));
    }, 20_000);
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /curl -i (http:\/\/127\.0\.0\.1:\d+)\/headers/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1], stdout: () => out, stderr: () => err, exit });
      }
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening\nstdout: ${out}\nstderr: ${err}`));
    });
  });
}

describe("proxy-wasm-as run", () => {
  it("serves a filter, prints the curl line, and stops with exit 0 on SIGINT", async () => {
    const run = await runCli([ADD_HEADER, "--root-id", "add_header", "--port", "0"]);
    try {
      assert.match(run.stdout(), /dev proxy listening on http:\/\/127\.0\.0\.1:\d+/);
      assert.match(run.stdout(), /built-in echo server/);
      const res = await fetch(`${run.url}/headers`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("hello"), "world!");
      await res.text();
      for (let i = 0; i < 100 && !run.stdout().includes("[access]"); i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.match(run.stdout(), /\[access\] "GET \/headers" 200 .*resp_headers=\+hello/);
    } finally {
      run.child.kill("SIGINT");
    }
    assert.equal(await run.exit, 0);
    assert.match(run.stderr(), /SIGINT: stopping/);
  });

  it("stops with exit 0 on SIGTERM, with --config and a fixed upstream", async () => {
    const upstream = await startServer((req, res) =>
      res.end(`got ${req.url} host=${req.headers.host}`),
    );
    try {
      const run = await runCli([
        ADD_HEADER,
        "--root-id=add_header",
        "--config",
        "cli",
        "--upstream",
        upstream.url,
        "--port",
        "0",
      ]);
      const res = await fetch(`${run.url}/path`);
      assert.equal(res.headers.get("hello"), "cli");
      assert.equal(await res.text(), `got /path host=127.0.0.1:${upstream.port}`);
      run.child.kill("SIGTERM");
      assert.equal(await run.exit, 0);
    } finally {
      await upstream.close();
    }
  });

  it("runs an envoy.yaml (listener port 0 → a free port)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "proxy-cli-"));
    const upstream = await startServer((req, res) => res.end(`backend ${req.url}`));
    try {
      copyFileSync(ADD_HEADER, join(dir, "filter.wasm"));
      writeFileSync(
        join(dir, "envoy.yaml"),
        `static_resources:
  listeners:
    - address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
      filter_chains:
        - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                route_config:
                  virtual_hosts:
                    - { name: all, domains: ["*"], routes: [{ match: { prefix: "/" }, route: { cluster: backend } }] }
                http_filters:
                  - name: envoy.filters.http.wasm
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
                      config:
                        root_id: add_header
                        configuration: { "@type": type.googleapis.com/google.protobuf.StringValue, value: yaml }
                        vm_config: { code: { local: { filename: filter.wasm } } }
                  - name: envoy.filters.http.router
  clusters:
    - name: backend
      type: STATIC
      load_assignment:
        cluster_name: backend
        endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${upstream.port} } } } }] }]
`,
      );
      const run = await runCli(["--envoy", join(dir, "envoy.yaml")]);
      assert.match(run.stdout(), /route prefix \/ → backend/);
      const res = await fetch(`${run.url}/a`);
      assert.equal(res.headers.get("hello"), "yaml");
      assert.equal(await res.text(), "backend /a");
      run.child.kill("SIGINT");
      assert.equal(await run.exit, 0);
    } finally {
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("pulls oci://… from a registry (plain HTTP, --insecure) and serves it", async () => {
    // A minimal registry: one image whose only layer is the Wasm module (the "oci" variant).
    const wasm = readFileSync(ADD_HEADER);
    const digest = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;
    const config = Buffer.from(JSON.stringify({ config: { rootIds: ["add_header"] } }));
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: {
          mediaType: "application/vnd.module.wasm.config.v1+json",
          digest: digest(config),
          size: config.length,
        },
        layers: [
          {
            mediaType: "application/vnd.module.wasm.content.layer.v1+wasm",
            digest: digest(wasm),
            size: wasm.length,
          },
        ],
      }),
    );
    const blobs = new Map([
      [digest(config), config],
      [digest(wasm), wasm],
    ]);
    const registry = await startServer((req, res) => {
      const url = req.url ?? "";
      if (url === "/v2/filters/add-header/manifests/v1") {
        res.writeHead(200, {
          "content-type": "application/vnd.oci.image.manifest.v1+json",
          "docker-content-digest": digest(manifest),
        });
        res.end(req.method === "HEAD" ? undefined : manifest);
        return;
      }
      const blob = blobs.get(url.replace("/v2/filters/add-header/blobs/", ""));
      if (blob && url.startsWith("/v2/filters/add-header/blobs/")) {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.end(blob);
        return;
      }
      res.writeHead(url === "/v2/" ? 200 : 404, { "content-type": "application/json" });
      res.end("{}");
    });
    try {
      // No --root-id: the image's runtime config names exactly one.
      const run = await runCli([
        `oci://127.0.0.1:${registry.port}/filters/add-header:v1`,
        "--insecure",
        "--port",
        "0",
      ]);
      assert.match(run.stderr(), /pulled oci:\/\//);
      const res = await fetch(`${run.url}/headers`);
      assert.equal(res.headers.get("hello"), "world!");
      run.child.kill("SIGINT");
      assert.equal(await run.exit, 0);
    } finally {
      await registry.close();
    }
  });

  it("rejects bad arguments with exit 2", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "run"], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((r) => child.on("exit", r));
    assert.equal(code, 2);
    assert.match(err, /give one FILTER\.wasm/);
  });
});
