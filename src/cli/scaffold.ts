// What `proxy-wasm-as init` writes: a new filter project from templates/ or from one of
// examples/, with the placeholders of the template filled in.
import { existsSync } from "node:fs";
import { lstat, mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { parse as parseYaml } from "yaml";
import {
  type SdkDependency,
  SdkDependencyError,
  sdkDependency,
  sdkRoot,
} from "./sdk_dependency.js";

/** Root ids Envoy, Istio and the template all accept unchanged: a lower-case identifier. */
export const ROOT_ID_PATTERN = /^[a-z_][a-z0-9_]*$/;

/** Placeholders of templates/ (kept valid TypeScript, JSON, YAML and Markdown as they are). */
export const PLACEHOLDERS = {
  /** Project name: npm package name, image name, WasmPlugin metadata.name. */
  name: "__NAME__",
  /** The filter's root id (Envoy `root_id`, Istio `pluginName`). */
  rootId: "__ROOT_ID__",
  /** The version spec of the proxy-wasm-as dependency. */
  sdkSpec: "__SDK_SPEC__",
} as const;

/** Template files whose real name npm would drop or act on when the SDK is published. */
const RENAMES: Record<string, string> = { gitignore: ".gitignore" };

/** Never copied, even if someone built or installed inside templates/ or an example. */
const SKIP = new Set(["node_modules", "build", "package-lock.json", "plugin.wasm"]);

/** What an example contributes; everything else comes from the template. */
const EXAMPLE_PARTS = ["assembly", "test", "README.md", "envoy.yaml", "wasmplugin.yaml"];

/** Why `id` cannot be a root id, or null when it can. */
export function rootIdProblem(id: string): string | null {
  if (ROOT_ID_PATTERN.test(id)) return null;
  const why =
    id === ""
      ? "it is empty"
      : /[A-Z]/.test(id)
        ? "it has upper-case letters"
        : /^[0-9]/.test(id)
          ? "it starts with a digit"
          : `it contains ${JSON.stringify(id.match(/[^a-z0-9_]/)?.[0] ?? "")}`;
  return (
    `"${id}" is not a safe root id: ${why}. A root id must match ${ROOT_ID_PATTERN.source} ` +
    `(lower-case letters, digits and "_", not starting with a digit), because it is written ` +
    `unquoted into envoy.yaml, wasmplugin.yaml and the filter's source`
  );
}

/** The project name for a directory: lower-case letters, digits and "-" (npm, OCI and k8s). */
export function projectName(dir: string): string {
  const name = basename(resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 63)
    .replace(/-$/, "");
  return name === "" ? "filter" : name;
}

/** The root id a directory name suggests when --name is not given: "my-filter" → "my_filter". */
export function defaultRootId(dir: string): string {
  const id = projectName(dir).replace(/-/g, "_");
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

/** The examples this package ships, by directory name. */
export async function listExamples(): Promise<string[]> {
  const dir = join(sdkRoot(), "examples");
  if (!existsSync(dir)) return [];
  const names: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && existsSync(join(dir, entry.name, "assembly", "index.ts")))
      names.push(entry.name);
  }
  return names.sort();
}

/** The root ids an example's filter registers (the string argument of registerRootContext). */
export function exampleRootIds(source: string): string[] {
  const ids: string[] = [];
  for (const call of source.matchAll(/register(?:Tcp)?RootContext\s*\(([\s\S]*?)\)\s*;/g)) {
    const literal = call[1].match(/,\s*"([^"]*)"\s*,?\s*$/);
    if (literal && !ids.includes(literal[1])) ids.push(literal[1]);
  }
  return ids;
}

/** Every file under `dir`, as paths relative to it ("/"-separated), minus SKIP. */
async function walk(dir: string, prefix = ""): Promise<string[]> {
  const files: string[] = [];
  for (const entry of (await readdir(join(dir, prefix), { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (SKIP.has(entry.name)) continue;
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await walk(dir, rel)));
    else if (entry.isFile()) files.push(rel);
  }
  return files;
}

export interface ScaffoldOptions {
  /** Where the project goes: must not exist, or be an empty directory. */
  dir: string;
  /** Start from examples/<example> instead of the template. */
  example?: string;
  /** Root id (default: the example's, or one made from the directory name). */
  rootId?: string;
  /**
   * The proxy-wasm-as dependency spec. Default: `^<this version>` when this CLI was installed
   * from the registry, otherwise this SDK packed into vendor/ (see sdk_dependency.ts).
   */
  sdkSpec?: string;
}

export interface ScaffoldResult {
  dir: string;
  name: string;
  rootId: string;
  sdkSpec: string;
  /** "template" or "example:<name>". */
  source: string;
  /** Files written, relative to dir, "/"-separated, sorted. */
  files: string[];
  /** Whether the files were formatted with prettier after the placeholders were filled. */
  formatted: boolean;
}

/** Thrown when init refuses its input; the message says why. */
export class ScaffoldError extends Error {}

async function checkTarget(dir: string): Promise<void> {
  let info;
  try {
    info = await lstat(dir);
  } catch {
    return; // does not exist yet: fine
  }
  if (!info.isDirectory()) throw new ScaffoldError(`${dir} exists and is not a directory`);
  const entries = await readdir(dir);
  if (entries.length > 0) {
    const shown = entries
      .sort()
      .slice(0, 3)
      .map((e) => JSON.stringify(e))
      .join(", ");
    throw new ScaffoldError(
      `${dir} is not empty (${entries.length} ${entries.length === 1 ? "entry" : "entries"}: ` +
        `${shown}${entries.length > 3 ? ", …" : ""}); init only writes into a new or empty ` +
        `directory, so that nothing of yours is overwritten`,
    );
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Fills the placeholders of one file; JSON files get JSON-escaped values. */
function fill(text: string, file: string, values: Record<string, string>): string {
  const json = file.endsWith(".json");
  let out = text;
  for (const [placeholder, value] of Object.entries(values)) {
    const v = json ? JSON.stringify(value).slice(1, -1) : value;
    out = out.split(placeholder).join(v);
  }
  return out;
}

/**
 * Makes an example's test and source files work in a project of their own: imports of the
 * emulator by relative path become "proxy-wasm-as/host", paths into examples/<name>/build
 * (and any examples/<name>/ path) lose that prefix, and the example's root id becomes the chosen one.
 */
function adaptExample(
  text: string,
  example: string,
  oldRootId: string | null,
  rootId: string,
): string {
  let out = text
    .replace(/(["'])(?:\.\.\/)+src\/host(?:\/index(?:\.js|\.ts)?)?\1/g, '"proxy-wasm-as/host"')
    .replace(/(["'])(?:\.\.\/)+(?:index|proxy)(?:\.ts)?\1/g, (m, q: string) =>
      m.includes("proxy") ? `${q}proxy-wasm-as/proxy${q}` : `${q}proxy-wasm-as${q}`,
    )
    .split(`examples/${example}/`)
    .join("");
  if (oldRootId !== null && oldRootId !== "" && oldRootId !== rootId) {
    const word = new RegExp(`(?<![A-Za-z0-9_])${escapeRegExp(oldRootId)}(?![A-Za-z0-9_])`, "g");
    out = out.replace(word, rootId);
  }
  return out;
}

/**
 * An example's README for a project of its own: its sections on building, testing and running
 * it inside the SDK's repository ("## Build", "## Test", "## Run", "## Build, test, run") give
 * way to the template README's sections on building, testing, running and shipping a project.
 */
function withProjectSections(readme: string, templateReadme: string): string {
  const start = templateReadme.indexOf("\n## Build");
  if (start < 0) return readme;
  const sections = readme.split(/\n(?=## )/);
  const kept = sections.filter((s, i) => i === 0 || !/^## (Build|Test|Run)\b/.test(s));
  return `${kept.join("\n").trimEnd()}\n${templateReadme.slice(start)}`;
}

interface WasmFilterConfig {
  root_id?: string;
  configuration?: { value?: unknown };
}

/** The plugin configuration a project's `npm start` passes with `--config @FILE`. */
export interface StartConfig {
  /** config.json for JSON, config.txt for anything else. */
  file: string;
  text: string;
}

/** The template's configuration file, which an example replaces with its own (or none). */
const TEMPLATE_CONFIG = "config.json";

/**
 * What `npm start` runs for an example: the dev proxy in front of the built-in echo upstream,
 * with the example's plugin configuration (from its envoy.yaml) in a file of its own; or
 * envoy.yaml itself when the filter calls out to clusters of its own, which only envoy.yaml
 * describes.
 */
export function exampleStart(
  envoyYaml: string | null,
  rootId: string,
): { start: string; config: StartConfig | null } {
  const plain = {
    start: `proxy-wasm-as run build/optimized.wasm --root-id ${rootId}`,
    config: null,
  };
  if (envoyYaml === null) return plain;
  let config: unknown;
  try {
    config = parseYaml(envoyYaml);
  } catch {
    return plain;
  }
  const resources = (config as { static_resources?: { clusters?: unknown[] } } | null)
    ?.static_resources;
  if ((resources?.clusters?.length ?? 0) > 1)
    return { start: "proxy-wasm-as run --envoy envoy.yaml", config: null };
  let value: unknown;
  const visit = (node: unknown): void => {
    if (value !== undefined || node === null || typeof node !== "object") return;
    const wasm = (node as { config?: WasmFilterConfig }).config;
    if (wasm?.root_id === rootId && wasm.configuration?.value !== undefined) {
      value = wasm.configuration.value;
      return;
    }
    for (const child of Object.values(node)) visit(child);
  };
  visit(config);
  if (typeof value !== "string" || value.trim() === "") return plain;
  let file = "config.txt";
  let text = `${value.trim()}\n`;
  try {
    text = `${JSON.stringify(JSON.parse(value), null, 2)}\n`;
    file = "config.json";
  } catch {
    // not JSON: passed as it is
  }
  return { start: `${plain.start} --config @${file}`, config: { file, text } };
}

/** The template's package.json for an example. */
function examplePackage(text: string, example: string, start: string): string {
  const manifest = JSON.parse(text) as { description?: string; scripts?: Record<string, string> };
  manifest.description = `The ${example} Proxy-Wasm filter (from the proxy-wasm-as examples).`;
  if (manifest.scripts?.start !== undefined) manifest.scripts.start = start;
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const TEXT_FILE =
  /\.(ts|js|mjs|json|ya?ml|md|txt|toml)$|(^|\/)(Dockerfile|gitignore|\.[a-z]+ignore)$/;

/** Formats the written files with prettier when it can be loaded; false when it cannot. */
async function format(dir: string, files: string[]): Promise<boolean> {
  let prettier: typeof import("prettier");
  try {
    prettier = await import("prettier");
  } catch {
    return false;
  }
  for (const file of files) {
    const path = join(dir, file);
    const info = await prettier.getFileInfo(path, { ignorePath: join(dir, ".prettierignore") });
    if (info.ignored || info.inferredParser === null) continue;
    const options = (await prettier.resolveConfig(path)) ?? {};
    const text = await readFile(path, "utf8");
    const formatted = await prettier.format(text, { ...options, filepath: path });
    if (formatted !== text) await writeFile(path, formatted);
  }
  return true;
}

/** Writes the project; throws ScaffoldError when the input is refused. */
export async function scaffold(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const dir = resolve(options.dir);
  const root = sdkRoot();
  const templateDir = join(root, "templates");

  let exampleDir: string | null = null;
  let exampleId: string | null = null;
  let exampleIds: string[] = [];
  if (options.example !== undefined) {
    const examples = await listExamples();
    if (!examples.includes(options.example)) {
      throw new ScaffoldError(
        `no example named "${options.example}"; the examples are: ${examples.join(", ") || "(none)"}`,
      );
    }
    exampleDir = join(root, "examples", options.example);
    exampleIds = exampleRootIds(await readFile(join(exampleDir, "assembly", "index.ts"), "utf8"));
    exampleId = exampleIds[0] ?? null;
    if (exampleIds.length > 1 && options.rootId !== undefined) {
      throw new ScaffoldError(
        `examples/${options.example} registers several root ids (${exampleIds.join(", ")}), ` +
          `so --name cannot rename it; leave --name out`,
      );
    }
  }

  const rootId = options.rootId ?? exampleId ?? defaultRootId(dir);
  const problem = rootIdProblem(rootId);
  if (problem !== null) throw new ScaffoldError(problem);
  await checkTarget(dir);

  const name = projectName(dir);
  const values = {
    [PLACEHOLDERS.name]: name,
    [PLACEHOLDERS.rootId]: rootId,
  };

  // target path → [source path, adapt as example file?]
  const plan = new Map<string, { from: string; example: boolean }>();
  const templateFiles = await walk(templateDir);
  const fromExample = (rel: string): boolean =>
    exampleDir !== null &&
    EXAMPLE_PARTS.some((part) => rel === part || rel.startsWith(`${part}/`)) &&
    existsSync(join(exampleDir, rel.split("/")[0]));
  for (const rel of templateFiles) {
    const target = RENAMES[rel] ?? rel;
    // The example's own assembly/, test/, README and manifests replace the template's; the
    // template's editor settings for assembly/ stay unless the example has its own.
    if (fromExample(rel) && rel !== "assembly/tsconfig.json") continue;
    plan.set(target, { from: join(templateDir, rel), example: false });
  }
  if (exampleDir !== null) {
    for (const part of EXAMPLE_PARTS) {
      const path = join(exampleDir, part);
      if (!existsSync(path)) continue;
      if ((await stat(path)).isDirectory()) {
        for (const rel of await walk(exampleDir, part))
          plan.set(rel, { from: join(exampleDir, rel), example: true });
      } else {
        plan.set(part, { from: path, example: true });
      }
    }
  }

  // An example's configuration (or none) replaces the template's.
  let start: ReturnType<typeof exampleStart> | null = null;
  if (exampleDir !== null) {
    plan.delete(TEMPLATE_CONFIG);
    const envoyYaml = join(exampleDir, "envoy.yaml");
    start =
      exampleIds.length > 1
        ? { start: "proxy-wasm-as run --envoy envoy.yaml", config: null }
        : exampleStart(
            existsSync(envoyYaml)
              ? adaptExample(await readFile(envoyYaml, "utf8"), options.example!, exampleId, rootId)
              : null,
            rootId,
          );
  }

  const files = [...plan.keys()].sort();
  const templateReadme = await readFile(join(templateDir, "README.md"), "utf8");
  let sdk: SdkDependency;
  try {
    sdk = await sdkDependency(dir, options.sdkSpec);
  } catch (err) {
    if (err instanceof SdkDependencyError) throw new ScaffoldError(err.message);
    throw err;
  }
  await mkdir(dir, { recursive: true });
  const sdkSpec = sdk.spec;
  for (const target of files) {
    const { from, example } = plan.get(target)!;
    const out = join(dir, ...target.split("/"));
    if (!out.startsWith(dir + sep)) throw new Error(`refusing to write outside ${dir}: ${target}`);
    await mkdir(dirname(out), { recursive: true });
    const bytes = await readFile(from);
    if (!TEXT_FILE.test(target)) {
      await writeFile(out, bytes);
      continue;
    }
    let text = bytes.toString("utf8");
    if (example) text = adaptExample(text, options.example!, exampleId, rootId);
    if (example && target === "README.md") text = withProjectSections(text, templateReadme);
    text = fill(text, target, { ...values, [PLACEHOLDERS.sdkSpec]: sdkSpec });
    if (target === "runtime-config.json" && exampleIds.length > 1) {
      const runtime = JSON.parse(text) as { config?: { rootIds?: string[] } };
      runtime.config = { ...runtime.config, rootIds: exampleIds };
      text = `${JSON.stringify(runtime, null, 2)}\n`;
    }
    if (target === "package.json" && start !== null) {
      text = examplePackage(text, options.example!, start.start);
    }
    await writeFile(out, text);
  }
  if (start?.config) {
    await writeFile(join(dir, start.config.file), start.config.text);
    files.push(start.config.file);
    files.sort();
  }
  const formatted = await format(dir, files);

  return {
    dir,
    name,
    rootId,
    sdkSpec,
    source: options.example === undefined ? "template" : `example:${options.example}`,
    files: [...files, ...sdk.files].sort(),
    formatted,
  };
}

/** A path for people: relative to the working directory when that is shorter. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== "" && !rel.startsWith("..") && rel.length < path.length ? rel : path;
}
