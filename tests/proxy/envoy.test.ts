// envoy.yaml: the subset the dev proxy reads, and a proxy started from it.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadEnvoyConfig, parseEnvoyConfig, startDevProxy } from "../../src/proxy/index.js";
import { ADD_HEADER, logSink, proxyFilters, startServer } from "./helpers.js";

const YAML = (webPort: number, apiPort: number) => `
bootstrap_extensions:
  - name: envoy.bootstrap.wasm
    typed_config:
      "@type": type.googleapis.com/envoy.extensions.wasm.v3.WasmService
      singleton: true
      config:
        name: svc
        root_id: consumer
        vm_config:
          vm_id: vm2
          code: { local: { filename: filters/proxy_filters.wasm } }
static_resources:
  listeners:
    - name: main
      address:
        socket_address: { address: 127.0.0.1, port_value: 0 }
      filter_chains:
        - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: ingress_http
                route_config:
                  virtual_hosts:
                    - name: api
                      domains: ["api.local", "api.local:*"]
                      routes:
                        - match: { prefix: "/" }
                          route: { cluster: api, host_rewrite_literal: api.internal }
                    - name: any
                      domains: ["*"]
                      routes:
                        - match: { path: "/exact" }
                          route: { cluster: api }
                        - match: { prefix: "/api/" }
                          route: { cluster: api, prefix_rewrite: "/v1/" }
                        - match: { prefix: "/" }
                          route: { cluster: web }
                http_filters:
                  - name: envoy.filters.http.wasm
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
                      config:
                        name: first
                        root_id: add_header
                        configuration:
                          "@type": type.googleapis.com/google.protobuf.StringValue
                          value: "from yaml"
                        vm_config:
                          vm_id: vm1
                          runtime: envoy.wasm.runtime.v8
                          code:
                            local:
                              filename: filters/add_header.wasm
                  - name: my.local.reply
                    typed_config:
                      "@type": type.googleapis.com/udpa.type.v1.TypedStruct
                      type_url: type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm
                      value:
                        config:
                          name: second
                          root_id: local_reply
                          fail_open: true
                          configuration:
                            "@type": type.googleapis.com/google.protobuf.Struct
                            value: { mode: strict, limit: 3 }
                          vm_config:
                            vm_id: vm2
                            configuration:
                              "@type": type.googleapis.com/google.protobuf.StringValue
                              value: vm-settings
                            code:
                              local:
                                filename: ./filters/proxy_filters.wasm
                  - name: envoy.filters.http.router
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
  clusters:
    - name: web
      connect_timeout: 1s
      type: STATIC
      load_assignment:
        cluster_name: web
        endpoints:
          - lb_endpoints:
              - endpoint:
                  address:
                    socket_address: { address: 127.0.0.1, port_value: ${webPort} }
    - name: api
      connect_timeout: 1s
      type: STRICT_DNS
      load_assignment:
        cluster_name: api
        endpoints:
          - lb_endpoints:
              - endpoint:
                  address:
                    socket_address: { address: localhost, port_value: ${apiPort} }
`;

let dir = "";
before(async () => {
  dir = mkdtempSync(join(tmpdir(), "proxy-envoy-"));
  const filters = await proxyFilters();
  const { mkdirSync } = await import("node:fs");
  mkdirSync(join(dir, "filters"));
  copyFileSync(ADD_HEADER, join(dir, "filters/add_header.wasm"));
  copyFileSync(filters, join(dir, "filters/proxy_filters.wasm"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("envoy.yaml", () => {
  it("reads the listener, the wasm filters in order, routes and clusters", () => {
    const cfg = parseEnvoyConfig(YAML(8080, 9090), dir);
    assert.deepEqual(cfg.listener, { address: "127.0.0.1", port: 0 });
    assert.equal(cfg.filters.length, 2);
    const [a, b] = cfg.filters;
    assert.deepEqual(
      [a.name, a.rootId, a.config, a.vmId, a.wasm, a.failOpen],
      ["first", "add_header", "from yaml", "vm1", join(dir, "filters/add_header.wasm"), false],
    );
    assert.deepEqual(
      [b.name, b.rootId, b.vmId, b.vmConfig, b.wasm, b.failOpen],
      [
        "second",
        "local_reply",
        "vm2",
        "vm-settings",
        join(dir, "filters/proxy_filters.wasm"),
        true,
      ],
    );
    assert.deepEqual(JSON.parse(b.config as string), { mode: "strict", limit: 3 });
    assert.deepEqual(
      cfg.routes.map((r) => [
        r.domains,
        r.prefix ?? r.path,
        r.cluster,
        r.prefixRewrite,
        r.hostRewrite,
      ]),
      [
        [["api.local", "api.local:*"], "/", "api", undefined, "api.internal"],
        [["*"], "/exact", "api", undefined, undefined],
        [["*"], "/api/", "api", "/v1/", undefined],
        [["*"], "/", "web", undefined, undefined],
      ],
    );
    assert.deepEqual(cfg.clusters, {
      web: ["http://127.0.0.1:8080"],
      api: ["http://localhost:9090"],
    });
    assert.deepEqual(
      cfg.services.map((f) => [f.name, f.rootId, f.vmId, f.wasm]),
      [["svc", "consumer", "vm2", join(dir, "filters/proxy_filters.wasm")]],
    );
    assert.deepEqual(cfg.warnings, []);
  });

  it("says what it cannot do, and rejects what it cannot run", () => {
    assert.throws(() => parseEnvoyConfig("static_resources: {}", dir), /no listener/);
    const remote = YAML(1, 2).replace(
      "local:\n                              filename: filters/add_header.wasm",
      "remote: { http_uri: { uri: http://x/y.wasm } }",
    );
    assert.throws(() => parseEnvoyConfig(remote, dir), /code.remote is not supported/);
    const withOther = YAML(1, 2).replace(
      "                  - name: envoy.filters.http.router",
      '                  - name: envoy.filters.http.cors\n                    typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors }\n                  - name: envoy.filters.http.router',
    );
    assert.match(parseEnvoyConfig(withOther, dir).warnings.join("\n"), /cors.*not a Wasm filter/);
  });

  it("serves what the file says: filters in order, routes to clusters", async () => {
    const web = await startServer((req, res) => res.end(`web ${req.url}`));
    const api = await startServer((req, res) => res.end(`api ${req.url} host=${req.headers.host}`));
    const path = join(dir, "envoy.yaml");
    writeFileSync(path, YAML(web.port, api.port));
    const cfg = await loadEnvoyConfig(path);
    const logs = logSink();
    const proxy = await startDevProxy({
      filters: cfg.filters,
      routes: cfg.routes,
      clusters: cfg.clusters,
      port: cfg.listener.port,
      onLog: logs.onLog,
    });
    try {
      const home = await fetch(`${proxy.url}/home`);
      assert.equal(await home.text(), "web /home");
      assert.equal(home.headers.get("hello"), "from yaml");
      assert.equal(
        await (await fetch(`${proxy.url}/api/users`)).text().then((t) => t.split(" ")[1]),
        "/v1/users",
      );
      assert.equal(
        await (await fetch(`${proxy.url}/exact`)).text().then((t) => t.split(" ")[1]),
        "/exact",
      );
      // Virtual host by Host header, with host_rewrite_literal.
      const byHost = await new Promise<string>((resolve, reject) => {
        import("node:http").then(({ request }) => {
          const req = request(`${proxy.url}/x`, { headers: { host: "api.local" } }, (res) => {
            let b = "";
            res.on("data", (c: Buffer) => (b += c.toString()));
            res.on("end", () => resolve(b));
          });
          req.on("error", reject);
          req.end();
        }, reject);
      });
      assert.equal(byHost, "api /x host=api.internal");
      // The second filter (local_reply) runs after the first: its reply passes back through it.
      const denied = await fetch(`${proxy.url}/deny`);
      assert.equal(denied.status, 403);
      assert.equal(denied.headers.get("hello"), "from yaml");
      assert.equal(proxy.emulator!.vms.map((v) => v.vmId).join(","), "vm1,vm2");
      assert.ok(
        logs
          .lines("filter")
          .some((l) => l.includes("wasm log second local_reply vm2: denying /deny")),
      );
    } finally {
      await proxy.close();
      await web.close();
      await api.close();
    }
  });
});
