// The rules of `proxy-wasm-as migrate`: how a project made by `wasme init` (AssemblyScript 0.14,
// @solo-io/proxy-runtime) becomes a proxy-wasm-as project. Pure functions from file texts to
// file texts and the changes made; the command does the reading, writing and printing.

/** The package wasme-era filters import; the SDK's compat layer answers to its name. */
export const OLD_SDK = "@solo-io/proxy-runtime";
/** G-Core's fork of it, which the compat layer answers to as well. */
export const GCORE_SDK = "@gcoredev/proxy-wasm-sdk-as";
/** Every package whose filters the compat layer builds; migrate replaces each with this SDK. */
export const OLD_SDKS = [OLD_SDK, GCORE_SDK] as const;
/** This SDK's package name. */
export const SDK = "proxy-wasm-as";
/** What a migrated asconfig.json extends: the SDK's config plus the compat import paths. */
export const COMPAT_EXTENDS = "./node_modules/proxy-wasm-as/asconfig.compat.json";

/** The asconfig.json targets a migrated project builds, as the SDK's own asconfig.json has them. */
export const TARGETS = {
  debug: {
    outFile: "build/untouched.wasm",
    textFile: "build/untouched.wat",
    sourceMap: true,
    debug: true,
  },
  release: {
    outFile: "build/optimized.wasm",
    textFile: "build/optimized.wat",
    optimizeLevel: 3,
    shrinkLevel: 1,
    converge: true,
    noAssert: true,
  },
} as const;

/** One change to one file, printed as `file: field: before → after`. */
export interface Change {
  file: string;
  /** The JSON path changed (`scripts.asbuild:untouched`), or "" for the whole file. */
  field: string;
  before: string;
  after: string;
}

/** A file's new text and what changed in it; `text` is the input itself when nothing did. */
export interface Rewrite {
  text: string;
  changes: Change[];
}

/** The one line a change is printed as. */
export function formatChange(c: Change): string {
  return c.field === ""
    ? `${c.file}: ${c.before} → ${c.after}`
    : `${c.file}: ${c.field}: ${c.before} → ${c.after}`;
}

/** A file the rules cannot read; the command reports it (exit 1). */
export class MigrateError extends Error {}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const NONE = "(none)";
const REMOVED = "(removed)";

function show(value: Json | undefined): string {
  if (value === undefined) return NONE;
  if (Array.isArray(value)) return `[${value.map((v) => show(v)).join(", ")}]`;
  return JSON.stringify(value);
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses a JSON file the rules rewrite; one that is not an object is a MigrateError. */
export function parseJsonFile(file: string, text: string): JsonObject {
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch (err) {
    throw new MigrateError(`${file} is not valid JSON (${(err as Error).message})`);
  }
  if (!isObject(value)) throw new MigrateError(`${file} does not hold a JSON object`);
  return value;
}

/** The indentation the file uses (two spaces when it has none to go by). */
function indentOf(text: string): string | number {
  const m = /^([ \t]+)"/m.exec(text);
  return m ? m[1] : 2;
}

/**
 * JSON as prettier writes it: objects one key a line, arrays of plain values on one line when
 * they fit in 80 columns. Written files stay as the user's formatter would leave them.
 */
export function stringifyJson(value: Json, indent: string | number = 2): string {
  const unit = typeof indent === "number" ? " ".repeat(indent) : indent;
  const write = (v: Json, pad: string): string => {
    if (Array.isArray(v)) {
      if (v.length === 0) return "[]";
      if (v.every((x) => x === null || typeof x !== "object")) {
        const inline = `[${v.map((x) => JSON.stringify(x)).join(", ")}]`;
        if (pad.length + inline.length <= 80) return inline;
      }
      return `[\n${v.map((x) => pad + unit + write(x, pad + unit)).join(",\n")}\n${pad}]`;
    }
    if (isObject(v)) {
      const keys = Object.keys(v);
      if (keys.length === 0) return "{}";
      const lines = keys.map(
        (k) => `${pad}${unit}${JSON.stringify(k)}: ${write(v[k], pad + unit)}`,
      );
      return `{\n${lines.join(",\n")}\n${pad}}`;
    }
    return JSON.stringify(v);
  };
  return write(value, "") + "\n";
}

/** `obj` with `key` renamed to `newKey` (and given `value`) where it stood, keeping key order. */
function replaceKey(obj: JsonObject, key: string, newKey: string, value: Json): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === key) out[newKey] = value;
    else if (k !== newKey) out[k] = v;
  }
  return out;
}

const DEPENDENCY_SECTIONS = ["dependencies", "devDependencies"] as const;

/** Whether the package.json depends on one of OLD_SDKS, on proxy-wasm-as, or neither. */
export function sdkDependencies(pkg: JsonObject): { old: boolean; sdk: boolean } {
  const has = (name: string) =>
    [...DEPENDENCY_SECTIONS, "peerDependencies" as const].some((s) => {
      const section = pkg[s];
      return isObject(section) && section[name] !== undefined;
    });
  return { old: OLD_SDKS.some(has), sdk: has(SDK) };
}

/** Whether the package.json still needs a proxy-wasm-as dependency (so one must be made). */
export function needsSdkDependency(pkg: JsonObject): boolean {
  return !sdkDependencies(pkg).sdk;
}

// ---- asc command lines ----

/** Flags of asc 0.14 scripts that take a value, and whether the migrated script drops them. */
const OLD_VALUE_FLAGS = new Set(["-b", "--binaryFile", "-t", "--textFile"]);
/** Flags the debug and release targets now stand for (or that asc 0.27 no longer has). */
const OLD_BARE_FLAGS = new Set(["--validate", "--optimize", "--debug", "--sourceMap"]);
const OPTIMIZE = /^-O[0-3sz]*$/;
/** asc 0.27 reads `-b` as --bindings: the old scripts exit 0 but write no .wasm where asked. */
const OLD_MARKERS = new Set(["-b", "--binaryFile", "-t", "--validate"]);

/** The target an old script built: its -b file, else --optimize, else its script name. */
function targetOf(
  name: string,
  outFile: string | undefined,
  optimize: boolean,
): "debug" | "release" {
  if (outFile === TARGETS.release.outFile) return "release";
  if (outFile === TARGETS.debug.outFile) return "debug";
  if (optimize) return "release";
  return /optimi[sz]ed|release/.test(name) ? "release" : "debug";
}

/**
 * The asc command line of an asbuild script with the old flags, rewritten to use a target of
 * asconfig.json; undefined when the script is not one (another command, a pipeline, quoting,
 * or already without the old flags). Words the rules do not know are kept, in order.
 */
export function migrateAscScript(name: string, script: string): string | undefined {
  if (/[;&|<>"'`$\\]/.test(script)) return undefined;
  const words = script.trim().split(/\s+/);
  const start = words[0] === "npx" ? 1 : 0;
  if (!/(^|\/)asc$/.test(words[start] ?? "")) return undefined;
  const args = words.slice(start + 1);
  const old =
    args.some(
      (w, i) => OLD_MARKERS.has(w) || (w === "--use" && args[i + 1] === "abort=abort_proc_exit"),
    ) && !args.includes("--target");
  if (!old) return undefined;

  const kept: string[] = [];
  let outFile: string | undefined;
  let optimize = false;
  for (let i = 0; i < args.length; i++) {
    const w = args[i];
    if (OLD_VALUE_FLAGS.has(w)) {
      if (w === "-b" || w === "--binaryFile") outFile = args[i + 1];
      i++;
    } else if (w === "--use" && args[i + 1] === "abort=abort_proc_exit") {
      i++; // the SDK routes abort itself; abort_proc_exit is only kept for old imports
    } else if (w === "--sourceMap") {
      // `--sourceMap URL` named where the map is served from; the targets write it beside the .wasm.
      if (args[i + 1] !== undefined && /^(https?:|.*\.map$)/.test(args[i + 1])) i++;
    } else if (OLD_BARE_FLAGS.has(w) || OPTIMIZE.test(w)) {
      if (w === "--optimize" || OPTIMIZE.test(w)) optimize = true;
    } else {
      kept.push(w);
    }
  }
  const target = targetOf(name, outFile, optimize);
  return [...words.slice(0, start + 1), ...kept, "--target", target].join(" ");
}

// ---- package.json ----

/**
 * Whether `spec` (absent, or a range like `^0.14.9`) is older than the SDK's AssemblyScript.
 * A newer one (the SDK also builds on 0.28) and specs that name no version stay as they are.
 */
export function olderAssemblyScript(spec: Json | undefined, sdk: string): boolean {
  if (spec === undefined) return true;
  const version = (v: string) =>
    /(\d+)\.(\d+)(?:\.(\d+))?/
      .exec(v)
      ?.slice(1)
      .map((n) => Number(n ?? 0));
  const have = typeof spec === "string" ? version(spec) : undefined;
  const want = version(sdk);
  if (have === undefined || want === undefined) return false;
  for (let i = 0; i < 3; i++) if (have[i] !== want[i]) return have[i] < want[i];
  return false;
}

function requireSpec(targets: PackageTargets): string {
  if (targets.sdkSpec === undefined)
    throw new Error("migratePackageJson: no sdkSpec for a project without proxy-wasm-as");
  return targets.sdkSpec;
}

export interface PackageTargets {
  /** The proxy-wasm-as spec to write when the project has none yet. */
  sdkSpec?: string;
  /** The AssemblyScript version the SDK is built with. */
  assemblyscript: string;
  /** Also replace a proxy-wasm-as spec the project already has (the user gave --sdk). */
  replaceSdk?: boolean;
}

/**
 * package.json: @solo-io/proxy-runtime or @gcoredev/proxy-wasm-sdk-as → proxy-wasm-as (where it
 * stood), assemblyscript → the SDK's version, and asbuild scripts with the old asc flags →
 * `--target debug|release`.
 */
export function migratePackageJson(text: string, targets: PackageTargets): Rewrite {
  const file = "package.json";
  let pkg = parseJsonFile(file, text);
  const changes: Change[] = [];

  for (const old of OLD_SDKS) {
    for (const section of DEPENDENCY_SECTIONS) {
      const deps = pkg[section];
      if (!isObject(deps) || deps[old] === undefined) continue;
      const before = `${JSON.stringify(old)}: ${show(deps[old])}`;
      if (sdkDependencies(pkg).sdk) {
        const { [old]: _, ...rest } = deps;
        pkg = { ...pkg, [section]: rest };
        changes.push({ file, field: section, before, after: REMOVED });
      } else {
        // proxy-wasm-as takes the old package's place, so the file reads as before.
        const spec = requireSpec(targets);
        pkg = { ...pkg, [section]: replaceKey(deps, old, SDK, spec) };
        changes.push({
          file,
          field: section,
          before,
          after: `${JSON.stringify(SDK)}: ${show(spec)}`,
        });
      }
    }
  }
  if (targets.replaceSdk && targets.sdkSpec !== undefined) {
    for (const section of DEPENDENCY_SECTIONS) {
      const deps = pkg[section];
      if (!isObject(deps) || deps[SDK] === undefined || deps[SDK] === targets.sdkSpec) continue;
      changes.push({
        file,
        field: `${section}.${SDK}`,
        before: show(deps[SDK]),
        after: show(targets.sdkSpec),
      });
      pkg = { ...pkg, [section]: { ...deps, [SDK]: targets.sdkSpec } };
    }
  }
  if (!sdkDependencies(pkg).sdk) {
    const spec = requireSpec(targets);
    const deps = isObject(pkg.dependencies) ? pkg.dependencies : {};
    pkg = { ...pkg, dependencies: { ...deps, [SDK]: spec } };
    changes.push({ file, field: `dependencies.${SDK}`, before: NONE, after: show(spec) });
  }

  const where = DEPENDENCY_SECTIONS.find((s) => {
    const deps = pkg[s];
    return isObject(deps) && deps.assemblyscript !== undefined;
  });
  const section = where ?? "devDependencies";
  const deps = isObject(pkg[section]) ? (pkg[section] as JsonObject) : {};
  if (olderAssemblyScript(deps.assemblyscript, targets.assemblyscript)) {
    changes.push({
      file,
      field: `${section}.assemblyscript`,
      before: show(deps.assemblyscript),
      after: show(targets.assemblyscript),
    });
    pkg = { ...pkg, [section]: { ...deps, assemblyscript: targets.assemblyscript } };
  }

  if (isObject(pkg.scripts)) {
    const scripts: JsonObject = { ...pkg.scripts };
    for (const [name, script] of Object.entries(scripts)) {
      if (typeof script !== "string") continue;
      const after = migrateAscScript(name, script);
      if (after === undefined) continue;
      scripts[name] = after;
      changes.push({ file, field: `scripts.${name}`, before: show(script), after: show(after) });
    }
    pkg = { ...pkg, scripts };
  }

  return changes.length === 0
    ? { text, changes }
    : { text: stringifyJson(pkg, indentOf(text)), changes };
}

// ---- asconfig.json ----

/**
 * asconfig.json (undefined: there is none): extends the SDK's compat config and has the debug
 * and release targets; everything else the user had stays. asc 0.14's `binaryFile` becomes the
 * target's `outFile`, and an `abort=abort_proc_exit` in `options.use` goes (it would replace the
 * SDK's whole `use` list).
 */
export function migrateAsconfig(text: string | undefined): Rewrite {
  const file = "asconfig.json";
  if (text === undefined) {
    const config: JsonObject = {
      extends: COMPAT_EXTENDS,
      targets: structuredClone(TARGETS) as unknown as JsonObject,
    };
    return {
      text: stringifyJson(config),
      changes: [
        {
          file,
          field: "",
          before: NONE,
          after: `extends ${COMPAT_EXTENDS}, targets debug (${TARGETS.debug.outFile}) and release (${TARGETS.release.outFile})`,
        },
      ],
    };
  }
  let config = parseJsonFile(file, text);
  const changes: Change[] = [];
  const set = (obj: JsonObject, path: string, key: string, value: Json | undefined): JsonObject => {
    if (JSON.stringify(obj[key]) === JSON.stringify(value)) return obj;
    changes.push({
      file,
      field: path,
      before: show(obj[key]),
      after: value === undefined ? REMOVED : show(value),
    });
    if (value === undefined) {
      const { [key]: _, ...rest } = obj;
      return rest;
    }
    return { ...obj, [key]: value };
  };

  config = set(config, "extends", "extends", COMPAT_EXTENDS);
  // `extends` first, where a reader looks for it.
  if (Object.keys(config)[0] !== "extends") config = { extends: config.extends, ...config };

  let targets: JsonObject = isObject(config.targets) ? config.targets : {};
  for (const [name, wanted] of Object.entries(TARGETS)) {
    let target: JsonObject = isObject(targets[name]) ? (targets[name] as JsonObject) : {};
    if (!isObject(targets[name])) {
      changes.push({
        file,
        field: `targets.${name}`,
        before: show(targets[name]),
        after: show(wanted as unknown as Json),
      });
      target = { ...wanted } as JsonObject;
    } else {
      target = set(target, `targets.${name}.binaryFile`, "binaryFile", undefined);
      for (const [key, value] of Object.entries(wanted)) {
        target = set(target, `targets.${name}.${key}`, key, value as Json);
      }
    }
    targets = { ...targets, [name]: target };
  }
  config = { ...config, targets };

  if (isObject(config.options) && config.options.use === "abort=abort_proc_exit") {
    // G-Core's README has it as a string.
    config = { ...config, options: set(config.options, "options.use", "use", undefined) };
  } else if (isObject(config.options) && Array.isArray(config.options.use)) {
    const use = config.options.use.filter((u) => u !== "abort=abort_proc_exit");
    if (use.length !== config.options.use.length) {
      config = {
        ...config,
        options: set(config.options, "options.use", "use", use.length ? use : undefined),
      };
    }
  }

  return changes.length === 0
    ? { text, changes }
    : { text: stringifyJson(config, indentOf(text)), changes };
}

// ---- runtime-config.json ----

/**
 * runtime-config.json: an `abiVersions` list naming ABIs wasme knew (`v0-<envoy-wasm commit>`,
 * `v0.2.1`) becomes the SDK's own list (`proxy_abi_version_0_2_1`); type and rootIds stay.
 */
export function migrateRuntimeConfig(text: string, abiVersions: readonly string[]): Rewrite {
  const file = "runtime-config.json";
  const config = parseJsonFile(file, text);
  const current = config.abiVersions;
  const old =
    Array.isArray(current) &&
    current.some((v) => typeof v !== "string" || !abiVersions.includes(v));
  if (!old) return { text, changes: [] };
  const after: Json = [...abiVersions];
  return {
    text: stringifyJson({ ...config, abiVersions: after }, indentOf(text)),
    changes: [{ file, field: "abiVersions", before: show(current), after: show(after) }],
  };
}
