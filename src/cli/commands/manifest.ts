// `proxy-wasm-as manifest`: deployment manifests for the filter (Istio WasmPlugin, Envoy config).
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Command } from "../command.js";
import { UsageError, parseArgs, stringFlag, textOrFile, type ParsedArgs } from "../command.js";
import {
  envoyConfig,
  parseLabels,
  parseTargetRef,
  wasmPlugin,
  type WasmPluginOptions,
} from "../../oci/manifests.js";
import { toYaml } from "../../oci/yaml.js";

const help = `usage: proxy-wasm-as manifest wasmplugin --url oci://REGISTRY/REPO:TAG [options]
       proxy-wasm-as manifest envoy --wasm FILE --root-id ID [options]

wasmplugin: prints an Istio WasmPlugin (extensions.istio.io/v1alpha1), checked against Istio's
schema with @kubernetes-models/istio. Options:
  --url URL                 oci://…, https://… or file://… (required)
  --sha256 DIGEST           image manifest digest (for oci://) or module sha256 (for http)
  --plugin-name NAME        the root id Envoy passes to the filter
  --phase PHASE             AUTHN, AUTHZ, STATS or UNSPECIFIED_PHASE
  --priority N              order within the phase (higher runs first)
  --config JSON|@FILE       pluginConfig, a JSON object
  --selector k=v[,k=v]      workload labels (spec.selector.matchLabels)
  --target-ref KIND/NAME[,…] e.g. Gateway/my-gateway or Service/reviews (spec.targetRefs)
  --fail-strategy S         FAIL_CLOSE, FAIL_OPEN or FAIL_RELOAD
  --image-pull-policy P     IfNotPresent or Always
  --image-pull-secret NAME  secret with registry credentials
  --type HTTP|NETWORK       plugin type
  --name NAME               metadata.name (default: from the URL)
  --namespace NS            metadata.namespace

envoy: prints an Envoy static config: a listener on 127.0.0.1:10000 whose HTTP connection
manager runs the filter (envoy.filters.http.wasm, loading the local file) then the router, and
one upstream cluster. Options:
  --wasm FILE               the module Envoy loads (required)
  --root-id ID              root id / plugin name (required)
  --config STRING|@FILE     plugin configuration handed to the filter
  --listen HOST:PORT        listener address (default 127.0.0.1:10000)
  --upstream HOST:PORT      upstream cluster address (default 127.0.0.1:8080)
  --admin-port N            admin interface port on 127.0.0.1 (default 9901)

both:
  --out FILE                write to FILE instead of stdout
  --json                    JSON instead of YAML`;

function hostPort(value: string | undefined, flag: string): { host?: string; port?: number } {
  if (value === undefined) return {};
  const colon = value.lastIndexOf(":");
  const port = Number(value.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--${flag} must be HOST:PORT (got "${value}")`);
  }
  return { host: value.slice(0, colon).replace(/^\[|\]$/g, ""), port };
}

async function pluginOptions(parsed: ParsedArgs): Promise<WasmPluginOptions> {
  const url = stringFlag(parsed, "url");
  if (url === undefined) throw new UsageError("--url is required");
  const options: WasmPluginOptions = { url };
  options.name = stringFlag(parsed, "name");
  options.namespace = stringFlag(parsed, "namespace");
  options.sha256 = stringFlag(parsed, "sha256");
  options.pluginName = stringFlag(parsed, "plugin-name");
  options.phase = stringFlag(parsed, "phase");
  options.failStrategy = stringFlag(parsed, "fail-strategy");
  options.imagePullPolicy = stringFlag(parsed, "image-pull-policy");
  options.imagePullSecret = stringFlag(parsed, "image-pull-secret");
  options.type = stringFlag(parsed, "type");
  const priority = stringFlag(parsed, "priority");
  if (priority !== undefined) {
    if (!/^-?\d+$/.test(priority))
      throw new UsageError(`--priority must be an integer (got "${priority}")`);
    options.priority = Number(priority);
  }
  const config = stringFlag(parsed, "config");
  if (config !== undefined) {
    const text = await textOrFile("config", config);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new UsageError(`--config is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new UsageError("--config must be a JSON object (Istio's pluginConfig is a Struct)");
    }
    options.pluginConfig = value as Record<string, unknown>;
  }
  const selector = stringFlag(parsed, "selector");
  if (selector !== undefined) options.selector = parseLabels(selector);
  const targets = stringFlag(parsed, "target-ref");
  if (targets !== undefined)
    options.targetRefs = targets.split(",").filter(Boolean).map(parseTargetRef);
  return options;
}

export const command: Command = {
  name: "manifest",
  summary: "print an Istio WasmPlugin or an Envoy config for the filter",
  help,
  async run(args: string[]): Promise<number> {
    const [kind, ...rest] = args;
    let document: unknown;
    let parsed: ParsedArgs;
    if (kind === "wasmplugin") {
      parsed = parseArgs(
        rest,
        [
          "url",
          "sha256",
          "plugin-name",
          "phase",
          "priority",
          "config",
          "selector",
          "target-ref",
          "fail-strategy",
          "image-pull-policy",
          "image-pull-secret",
          "type",
          "name",
          "namespace",
          "out",
        ],
        ["json"],
      );
      document = await wasmPlugin(await pluginOptions(parsed));
    } else if (kind === "envoy") {
      parsed = parseArgs(
        rest,
        ["wasm", "root-id", "config", "listen", "upstream", "admin-port", "out"],
        ["json"],
      );
      const wasm = stringFlag(parsed, "wasm");
      const rootId = stringFlag(parsed, "root-id");
      if (wasm === undefined) throw new UsageError("--wasm is required");
      if (rootId === undefined) throw new UsageError("--root-id is required");
      const config = stringFlag(parsed, "config");
      const listen = hostPort(stringFlag(parsed, "listen"), "listen");
      const upstream = hostPort(stringFlag(parsed, "upstream"), "upstream");
      const admin = stringFlag(parsed, "admin-port");
      if (admin !== undefined && !/^\d+$/.test(admin))
        throw new UsageError("--admin-port must be a port number");
      document = envoyConfig({
        wasm,
        rootId,
        config: await textOrFile("config", config),
        listenAddress: listen.host,
        listenPort: listen.port,
        upstreamAddress: upstream.host,
        upstreamPort: upstream.port,
        adminPort: admin === undefined ? undefined : Number(admin),
      });
    } else {
      throw new UsageError(
        kind === undefined
          ? "say which manifest: wasmplugin or envoy"
          : `unknown manifest kind "${kind}" (wasmplugin or envoy)`,
      );
    }
    if (parsed.positionals.length > 0)
      throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`);
    const text = parsed.flags.has("json")
      ? JSON.stringify(document, null, 2) + "\n"
      : toYaml(document);
    const out = stringFlag(parsed, "out");
    if (out !== undefined) {
      await mkdir(dirname(out), { recursive: true });
      await writeFile(out, text);
    } else process.stdout.write(text);
    return 0;
  },
};
