// Deployment manifests for a built filter: an Istio WasmPlugin and an Envoy static config.
import { toYaml } from "./yaml.js";

export const phases = ["UNSPECIFIED_PHASE", "AUTHN", "AUTHZ", "STATS"] as const;
export const failStrategies = ["FAIL_CLOSE", "FAIL_OPEN", "FAIL_RELOAD"] as const;

export interface WasmPluginOptions {
  url: string;
  name?: string;
  namespace?: string;
  sha256?: string;
  pluginName?: string;
  phase?: string;
  priority?: number;
  /** Plugin configuration: a JSON object. */
  pluginConfig?: Record<string, unknown>;
  /** Workload selector labels. */
  selector?: Record<string, string>;
  /** Targets as kind/name (Gateway, Service, …). */
  targetRefs?: { kind: string; name: string; group?: string }[];
  failStrategy?: string;
  imagePullPolicy?: string;
  imagePullSecret?: string;
  type?: string;
}

/** Thrown when the generated object does not pass the WasmPlugin schema. */
export class ManifestValidationError extends Error {}

interface AjvError {
  instancePath?: string;
  message?: string;
  params?: { allowedValues?: unknown[]; missingProperty?: string; additionalProperty?: string };
}

function explain(errors: AjvError[] | undefined, fallback: string): string {
  if (!errors || errors.length === 0) return fallback;
  return errors
    .map((e) => {
      const path = (e.instancePath ?? "").split("/").filter(Boolean).join(".") || "(root)";
      if (e.params?.allowedValues) {
        return `${path} must be one of ${e.params.allowedValues.map(String).join(", ")}`;
      }
      if (e.params?.missingProperty) return `${path}.${e.params.missingProperty} is required`;
      if (e.params?.additionalProperty)
        return `${path}.${e.params.additionalProperty} is not allowed`;
      return `${path} ${e.message ?? "is invalid"}`;
    })
    .join("; ");
}

const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const dnsSubdomain =
  /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A name fit for metadata.name, made from an image URL ("oci://r/x/my_filter:v1" → "my-filter"). */
export function nameFromUrl(url: string): string {
  const path = url.replace(/^[a-z]+:\/\//, "").split("@")[0];
  const last = path.split("/").pop() ?? "wasm-plugin";
  const base = last.replace(/:[^:]*$/, "").replace(/\.wasm$/, "");
  const name = base
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63);
  return name || "wasm-plugin";
}

/** Istio's WasmPlugin model, loaded only when a manifest is made (it pulls in a JSON schema). */
async function loadWasmPluginModel() {
  try {
    return (await import("@kubernetes-models/istio/extensions.istio.io/v1alpha1/WasmPlugin"))
      .WasmPlugin;
  } catch (err) {
    throw new Error(
      `cannot load @kubernetes-models/istio to validate the WasmPlugin (${(err as Error).message}); ` +
        "install it with `npm install @kubernetes-models/istio`",
    );
  }
}

/** Builds the WasmPlugin object and validates it against Istio's schema. */
export async function wasmPlugin(options: WasmPluginOptions): Promise<Record<string, unknown>> {
  if (!/^(oci|https?|file):\/\//.test(options.url)) {
    throw new ManifestValidationError(
      `spec.url must start with oci://, https://, http:// or file:// (got "${options.url}")`,
    );
  }
  const name = options.name ?? nameFromUrl(options.url);
  if (!dnsSubdomain.test(name)) {
    throw new ManifestValidationError(`metadata.name "${name}" is not a valid Kubernetes name`);
  }
  if (options.namespace !== undefined && !dnsLabel.test(options.namespace)) {
    throw new ManifestValidationError(
      `metadata.namespace "${options.namespace}" is not a valid namespace`,
    );
  }
  if (options.selector && options.targetRefs) {
    throw new ManifestValidationError("use either a selector or targetRefs, not both");
  }
  let sha256 = options.sha256;
  if (sha256 !== undefined) {
    sha256 = sha256.replace(/^sha256:/, "");
    if (!/^[a-f0-9]{64}$/.test(sha256)) {
      throw new ManifestValidationError(
        "spec.sha256 must be 64 lower-case hex digits (sha256:… accepted)",
      );
    }
  }
  if (options.priority !== undefined && !Number.isInteger(options.priority)) {
    throw new ManifestValidationError(`spec.priority must be an integer (got ${options.priority})`);
  }
  // Checked here as well as by the schema: the model that supports Node 20 predates FAIL_RELOAD
  // and does not check this field.
  const strategies = ["FAIL_CLOSE", "FAIL_OPEN", "FAIL_RELOAD"];
  if (options.failStrategy && !strategies.includes(options.failStrategy)) {
    throw new ManifestValidationError(
      `invalid WasmPlugin: spec.failStrategy must be one of ${strategies.join(", ")} ` +
        `(got "${options.failStrategy}")`,
    );
  }
  const spec: Record<string, unknown> = { url: options.url };
  if (sha256) spec.sha256 = sha256;
  if (options.imagePullPolicy) spec.imagePullPolicy = options.imagePullPolicy;
  if (options.imagePullSecret) spec.imagePullSecret = options.imagePullSecret;
  if (options.pluginName) spec.pluginName = options.pluginName;
  if (options.phase) spec.phase = options.phase;
  if (options.priority !== undefined) spec.priority = options.priority;
  if (options.failStrategy) spec.failStrategy = options.failStrategy;
  if (options.type) spec.type = options.type;
  if (options.selector) spec.selector = { matchLabels: options.selector };
  if (options.targetRefs) spec.targetRefs = options.targetRefs;
  if (options.pluginConfig !== undefined) spec.pluginConfig = options.pluginConfig;
  const metadata: Record<string, string> = { name };
  if (options.namespace) metadata.namespace = options.namespace;
  const WasmPlugin = await loadWasmPluginModel();
  // Built from user input unchecked on purpose: validate() reports bad values with Istio's schema.
  const model = new WasmPlugin({ metadata, spec } as unknown as ConstructorParameters<
    typeof WasmPlugin
  >[0]);
  try {
    model.validate();
  } catch (err) {
    const errors = (err as { errors?: AjvError[] }).errors;
    throw new ManifestValidationError(
      `invalid WasmPlugin: ${explain(errors, (err as Error).message)}`,
    );
  }
  return model.toJSON() as Record<string, unknown>;
}

export async function wasmPluginYaml(options: WasmPluginOptions): Promise<string> {
  return toYaml(await wasmPlugin(options));
}

/** Parses "kind/name" (Gateway/my-gw, Service/reviews) into a targetRef with its API group. */
export function parseTargetRef(value: string): { kind: string; name: string; group?: string } {
  const slash = value.indexOf("/");
  if (slash <= 0 || slash === value.length - 1) {
    throw new ManifestValidationError(
      `--target-ref must be KIND/NAME, e.g. Gateway/my-gateway (got "${value}")`,
    );
  }
  const kind = value.slice(0, slash);
  const name = value.slice(slash + 1);
  if (kind === "Gateway" || kind === "GatewayClass") {
    return { group: "gateway.networking.k8s.io", kind, name };
  }
  if (kind === "Service") return { group: "", kind, name };
  return { kind, name };
}

/** Parses "k=v,k2=v2" into labels. */
export function parseLabels(value: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of value.split(",").filter(Boolean)) {
    const eq = pair.indexOf("=");
    if (eq <= 0)
      throw new ManifestValidationError(`--selector wants key=value pairs (got "${pair}")`);
    labels[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  if (Object.keys(labels).length === 0) throw new ManifestValidationError("--selector is empty");
  return labels;
}

export interface EnvoyOptions {
  /** Path of the .wasm file Envoy loads. */
  wasm: string;
  rootId: string;
  /** Plugin configuration string handed to the filter (proxy_on_configure). */
  config?: string;
  listenAddress?: string;
  listenPort?: number;
  upstreamAddress?: string;
  upstreamPort?: number;
  adminPort?: number;
}

/** An Envoy static bootstrap that runs the filter in front of one upstream cluster. */
export function envoyConfig(options: EnvoyOptions): Record<string, unknown> {
  const socket = (address: string, port: number) => ({
    socket_address: { address, port_value: port },
  });
  const wasmConfig: Record<string, unknown> = {
    name: options.rootId,
    root_id: options.rootId,
    vm_config: {
      vm_id: options.rootId,
      runtime: "envoy.wasm.runtime.v8",
      code: { local: { filename: options.wasm } },
    },
  };
  if (options.config !== undefined) {
    wasmConfig.configuration = {
      "@type": "type.googleapis.com/google.protobuf.StringValue",
      value: options.config,
    };
  }
  return {
    static_resources: {
      listeners: [
        {
          name: "main",
          address: socket(options.listenAddress ?? "127.0.0.1", options.listenPort ?? 10000),
          filter_chains: [
            {
              filters: [
                {
                  name: "envoy.filters.network.http_connection_manager",
                  typed_config: {
                    "@type":
                      "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                    stat_prefix: "ingress_http",
                    codec_type: "AUTO",
                    route_config: {
                      name: "local_route",
                      virtual_hosts: [
                        {
                          name: "local_service",
                          domains: ["*"],
                          routes: [{ match: { prefix: "/" }, route: { cluster: "upstream" } }],
                        },
                      ],
                    },
                    http_filters: [
                      {
                        name: "envoy.filters.http.wasm",
                        typed_config: {
                          "@type": "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm",
                          config: wasmConfig,
                        },
                      },
                      {
                        name: "envoy.filters.http.router",
                        typed_config: {
                          "@type":
                            "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router",
                        },
                      },
                    ],
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters: [
        {
          name: "upstream",
          connect_timeout: "5s",
          type: "STRICT_DNS",
          lb_policy: "ROUND_ROBIN",
          load_assignment: {
            cluster_name: "upstream",
            endpoints: [
              {
                lb_endpoints: [
                  {
                    endpoint: {
                      address: socket(
                        options.upstreamAddress ?? "127.0.0.1",
                        options.upstreamPort ?? 8080,
                      ),
                    },
                  },
                ],
              },
            ],
          },
        },
      ],
    },
    admin: { address: socket("127.0.0.1", options.adminPort ?? 9901) },
  };
}

export function envoyYaml(options: EnvoyOptions): string {
  return toYaml(envoyConfig(options));
}
