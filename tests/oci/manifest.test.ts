// `proxy-wasm-as manifest`: an Istio WasmPlugin checked against Istio's schema
// (@kubernetes-models/istio), its clear errors, and the Envoy static config.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { toYaml } from "../../src/oci/yaml.js";
import { cli } from "./helpers.js";

type YamlParse = (text: string) => unknown;

/** The `yaml` package's parser when installed (to read our YAML back), else undefined. */
async function yamlParser(): Promise<YamlParse | undefined> {
  try {
    const specifier = "yaml";
    const mod = (await import(specifier)) as { parse?: YamlParse; default?: { parse: YamlParse } };
    return mod.parse ?? mod.default?.parse;
  } catch {
    return undefined;
  }
}

const digest = "b".repeat(64);

describe("proxy-wasm-as manifest wasmplugin", () => {
  const args = [
    "manifest",
    "wasmplugin",
    "--url",
    "oci://ghcr.io/me/add-header:v1",
    "--sha256",
    `sha256:${digest}`,
    "--plugin-name",
    "add_header",
    "--phase",
    "AUTHZ",
    "--priority",
    "10",
    "--config",
    '{"header":"hello","values":[1,"two",true,null],"nested":{"flag":"yes","empty":""}}',
    "--selector",
    "app=productpage,version=v1",
    "--fail-strategy",
    "FAIL_OPEN",
    "--namespace",
    "istio-system",
  ];
  const expected = {
    apiVersion: "extensions.istio.io/v1alpha1",
    kind: "WasmPlugin",
    metadata: { name: "add-header", namespace: "istio-system" },
    spec: {
      url: "oci://ghcr.io/me/add-header:v1",
      sha256: digest,
      pluginName: "add_header",
      phase: "AUTHZ",
      priority: 10,
      failStrategy: "FAIL_OPEN",
      selector: { matchLabels: { app: "productpage", version: "v1" } },
      pluginConfig: {
        header: "hello",
        values: [1, "two", true, null],
        nested: { flag: "yes", empty: "" },
      },
    },
  };

  it("prints a valid WasmPlugin (JSON and YAML say the same)", async () => {
    const json = await cli([...args, "--json"]);
    assert.equal(json.code, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), expected);
    const yaml = await cli(args);
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.match(yaml.stdout, /^apiVersion: extensions\.istio\.io\/v1alpha1\nkind: WasmPlugin\n/);
    assert.match(yaml.stdout, /\n +flag: "yes"\n/, "strings YAML would misread are quoted");
    const parse = await yamlParser();
    if (parse) assert.deepEqual(parse(yaml.stdout), expected);
    else console.log("# the yaml package is not installed: YAML not parsed back");
  });

  it("writes targetRefs with their API group", async () => {
    const r = await cli([
      "manifest",
      "wasmplugin",
      "--url",
      "oci://registry.example/f:v1",
      "--target-ref",
      "Gateway/my-gateway",
      "--name",
      "f",
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout) as { spec: { targetRefs: unknown } }).spec.targetRefs, [
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "my-gateway" },
    ]);
  });

  const bad: [string, string[], RegExp, number][] = [
    [
      "a bad phase",
      ["--phase", "LATE"],
      /invalid WasmPlugin: spec\.phase must be one of UNSPECIFIED_PHASE, AUTHN, AUTHZ, STATS/,
      1,
    ],
    [
      "a bad fail strategy",
      ["--fail-strategy", "MAYBE"],
      /invalid WasmPlugin: spec\.failStrategy must be one of FAIL_CLOSE, FAIL_OPEN/,
      1,
    ],
    ["a bad sha256", ["--sha256", "abc"], /spec\.sha256 must be 64 lower-case hex digits/, 1],
    ["a non-object config", ["--config", '"just a string"'], /--config must be a JSON object/, 2],
    ["config that is not JSON", ["--config", "{nope"], /--config is not valid JSON/, 2],
    ["a non-integer priority", ["--priority", "high"], /--priority must be an integer/, 2],
    [
      "selector and targetRefs together",
      ["--selector", "app=x", "--target-ref", "Gateway/g"],
      /either a selector or targetRefs/,
      1,
    ],
    [
      "a bad name",
      ["--name", "Not_A_Name"],
      /metadata\.name "Not_A_Name" is not a valid Kubernetes name/,
      1,
    ],
  ];
  for (const [what, extra, message, code] of bad) {
    it(`rejects ${what} with a clear error`, async () => {
      const r = await cli(["manifest", "wasmplugin", "--url", "oci://ghcr.io/me/f:v1", ...extra]);
      assert.equal(r.code, code, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, "");
    });
  }

  it("requires --url and a known kind", async () => {
    let r = await cli(["manifest", "wasmplugin"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--url is required/);
    r = await cli(["manifest", "helm"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown manifest kind "helm"/);
  });
});

describe("proxy-wasm-as manifest envoy", () => {
  it("prints a static config that loads the filter from a local file", async () => {
    const r = await cli([
      "manifest",
      "envoy",
      "--wasm",
      "build/optimized.wasm",
      "--root-id",
      "add_header",
      "--config",
      "hello: world",
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const config = JSON.parse(r.stdout) as any;
    const listener = config.static_resources.listeners[0];
    assert.deepEqual(listener.address.socket_address, { address: "127.0.0.1", port_value: 10000 });
    const hcm = listener.filter_chains[0].filters[0];
    assert.equal(hcm.name, "envoy.filters.network.http_connection_manager");
    const [wasm, router] = hcm.typed_config.http_filters;
    assert.equal(wasm.name, "envoy.filters.http.wasm");
    assert.equal(
      wasm.typed_config["@type"],
      "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
    );
    assert.equal(wasm.typed_config.config.root_id, "add_header");
    assert.equal(wasm.typed_config.config.configuration.value, "hello: world");
    assert.deepEqual(wasm.typed_config.config.vm_config.code, {
      local: { filename: "build/optimized.wasm" },
    });
    assert.equal(wasm.typed_config.config.vm_config.runtime, "envoy.wasm.runtime.v8");
    assert.equal(router.name, "envoy.filters.http.router");
    assert.equal(
      hcm.typed_config.route_config.virtual_hosts[0].routes[0].route.cluster,
      "upstream",
    );
    assert.equal(config.static_resources.clusters[0].name, "upstream");

    const yaml = await cli([
      "manifest",
      "envoy",
      "--wasm",
      "build/optimized.wasm",
      "--root-id",
      "add_header",
      "--config",
      "hello: world",
    ]);
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.match(
      yaml.stdout,
      /"@type": type\.googleapis\.com\/envoy\.extensions\.filters\.http\.wasm\.v3\.Wasm/,
    );
    const parse = await yamlParser();
    if (parse) assert.deepEqual(parse(yaml.stdout), config);
  });

  it("takes --listen and --upstream, and needs --wasm and --root-id", async () => {
    let r = await cli([
      "manifest",
      "envoy",
      "--wasm",
      "f.wasm",
      "--root-id",
      "r",
      "--listen",
      "0.0.0.0:8000",
      "--upstream",
      "backend:9000",
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const config = JSON.parse(r.stdout) as any;
    assert.deepEqual(config.static_resources.listeners[0].address.socket_address, {
      address: "0.0.0.0",
      port_value: 8000,
    });
    assert.deepEqual(
      config.static_resources.clusters[0].load_assignment.endpoints[0].lb_endpoints[0].endpoint
        .address.socket_address,
      { address: "backend", port_value: 9000 },
    );
    r = await cli(["manifest", "envoy", "--root-id", "r"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--wasm is required/);
    r = await cli(["manifest", "envoy", "--wasm", "f.wasm", "--root-id", "r", "--listen", "nope"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--listen must be HOST:PORT/);
  });
});

describe("YAML writer", () => {
  it("quotes what YAML would misread and leaves the rest plain", async () => {
    const value = {
      plain: "hello-world_1.2/x",
      words: [
        "yes",
        "no",
        "on",
        "true",
        "null",
        "~",
        "1.5",
        "0x1f",
        "1e3",
        "",
        "12:30",
        "2024-01-01",
        "-1",
        ".inf",
      ],
      colon: "a: b",
      hash: "#comment",
      dash: "- item",
      multiline: "line1\nline2",
      unicode: "héllo ✓",
      number: 42,
      nested: { empty: {}, list: [], deep: [{ a: 1, b: [true] }] },
      "@type": "t",
    };
    const text = toYaml(value);
    assert.match(text, /^plain: hello-world_1\.2\/x$/m);
    assert.match(text, /^"@type": t$/m);
    const parse = await yamlParser();
    if (parse) assert.deepEqual(parse(text), value);
  });
});
