// Regenerates the export lists of the SDKs the compat entries stand in for
// (tests/compat/packages/<package>-<version>.names.txt): each package is fetched with
// `npm pack <package>@<version>`, unpacked in a temporary folder, and the names its entry files
// export are written one a line as `<import path> <name>`. The tests read the checked-in lists and
// need no network; run this only to add a version:
//
//   node --import tsx tests/compat/packages/names.ts [solo-0.1.8 …]
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** One package version and the import paths its users write, each with the file it opens. */
export interface PackageVersion {
  id: string;
  name: string;
  version: string;
  entries: { importPath: string; file: string }[];
}

export const PACKAGES: PackageVersion[] = [
  {
    id: "solo-0.1.8",
    name: "@solo-io/proxy-runtime",
    version: "0.1.8",
    entries: [
      { importPath: "@solo-io/proxy-runtime", file: "assembly/index.ts" },
      { importPath: "@solo-io/proxy-runtime/assembly/runtime", file: "assembly/runtime.ts" },
    ],
  },
  {
    id: "solo-0.1.15",
    name: "@solo-io/proxy-runtime",
    version: "0.1.15",
    entries: [
      { importPath: "@solo-io/proxy-runtime", file: "assembly/index.ts" },
      { importPath: "@solo-io/proxy-runtime/assembly/runtime", file: "assembly/runtime.ts" },
    ],
  },
  {
    id: "gcore-1.2.3",
    name: "@gcoredev/proxy-wasm-sdk-as",
    version: "1.2.3",
    entries: [
      { importPath: "@gcoredev/proxy-wasm-sdk-as/assembly", file: "assembly/index.ts" },
      {
        importPath: "@gcoredev/proxy-wasm-sdk-as/assembly/fastedge",
        file: "assembly/fastedge/index.ts",
      },
    ],
  },
];

const HERE = dirname(fileURLToPath(import.meta.url));

/** The checked-in list of `id`: pairs of import path and name. */
export function readNames(id: string): { importPath: string; name: string }[] {
  const file = join(HERE, `${id}.names.txt`);
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.startsWith("#"))
    .map((line) => {
      const [importPath, name] = line.trim().split(/\s+/);
      return { importPath, name };
    });
}

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/[^\n]*/g, "");
}

/** The file an `export * from "./x"` in `from` opens. */
function resolveModule(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
    if (existsSync(candidate) && candidate.endsWith(".ts")) return candidate;
  }
  throw new Error(`${from}: cannot find the module "${specifier}"`);
}

/** Every name `file` exports, following `export * from` into the package's own files. */
export function exportedNames(file: string, seen = new Set<string>()): Set<string> {
  const names = new Set<string>();
  if (seen.has(file)) return names;
  seen.add(file);
  const source = withoutComments(readFileSync(file, "utf8"));
  for (const m of source.matchAll(/export\s*\{([^}]*)\}/g)) {
    for (const part of m[1].split(",")) {
      const words = part.trim().split(/\s+as\s+/);
      const name = words[words.length - 1].trim();
      if (name !== "") names.add(name);
    }
  }
  const declaration =
    /export\s+(?:declare\s+)?(?:abstract\s+)?(?:function|class|enum|type|var|let|const|interface|namespace)\s+([A-Za-z_$][\w$]*)/g;
  for (const m of source.matchAll(declaration)) names.add(m[1]);
  for (const m of source.matchAll(/export\s*\*\s*from\s*["']([^"']+)["']/g)) {
    if (!m[1].startsWith(".")) continue; // another package's names are not this one's
    for (const name of exportedNames(resolveModule(file, m[1]), seen)) names.add(name);
  }
  return names;
}

/** Fetches `pkg` with npm pack and returns the text of its names file. */
export function generate(pkg: PackageVersion): string {
  const dir = mkdtempSync(join(tmpdir(), "compat-names-"));
  try {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const tarball = execFileSync(npm, ["pack", `${pkg.name}@${pkg.version}`, "--silent"], {
      cwd: dir,
      encoding: "utf8",
      timeout: 120_000,
    })
      .trim()
      .split("\n")
      .pop()!;
    execFileSync("tar", ["xzf", tarball], { cwd: dir, timeout: 60_000 });
    const lines = [
      `# The names ${pkg.name}@${pkg.version} exports, by import path.`,
      `# Regenerate with: node --import tsx tests/compat/packages/names.ts ${pkg.id}`,
    ];
    for (const entry of pkg.entries) {
      const names = [...exportedNames(join(dir, "package", entry.file))].sort();
      for (const name of names) lines.push(`${entry.importPath} ${name}`);
    }
    return lines.join("\n") + "\n";
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((id) => !PACKAGES.some((p) => p.id === id));
  if (unknown.length > 0) {
    console.error(
      `unknown package id ${unknown.join(", ")}; known: ${PACKAGES.map((p) => p.id).join(", ")}`,
    );
    process.exit(2);
  }
  for (const pkg of PACKAGES) {
    if (wanted.length > 0 && !wanted.includes(pkg.id)) continue;
    const out = join(HERE, `${pkg.id}.names.txt`);
    writeFileSync(out, generate(pkg));
    console.log(`wrote ${out}`);
  }
}
