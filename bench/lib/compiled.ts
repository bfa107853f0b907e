// The project's TypeScript as the bench runs it: compiled JavaScript, an esbuild bundle of one
// entry (the packages it imports left external) in bench/build/compiled/, as tsc's dist/ would
// run it. Importing src/ through the bench's own TypeScript loader instead would wrap every
// function the emulator and the dev proxy create per request in a keep-names helper, a cost
// users never pay, on top of every contender's figures.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { OUT, ROOT } from "./build.js";

/** Bundles `src/<entry>` and imports it; throws when it does not compile or load. */
export async function importCompiled<T>(entry: string, name: string): Promise<T> {
  const outdir = join(OUT, "compiled");
  const outfile = join(outdir, `${name}.mjs`);
  mkdirSync(outdir, { recursive: true });
  const esbuild = await import("esbuild");
  await esbuild.build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "silent",
  });
  return (await import(pathToFileURL(outfile).href)) as T;
}
