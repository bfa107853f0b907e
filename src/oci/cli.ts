// Helpers shared by the image, push, pull and manifest commands.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { buildImage, variants, type BuiltImage, type Variant } from "./image.js";

/** Progress lines go to stderr, for a person; results go to stdout. */
export function progressPrinter(enabled: boolean): (line: string) => void {
  return enabled ? (line) => process.stderr.write(`  ${line}\n`) : () => {};
}

export async function readInput(path: string, what: string, hint: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new Error(`${path} does not exist${hint ? `; ${hint}` : ""}`);
    if (code === "EISDIR") throw new Error(`${path} is a directory; the ${what} is a file`);
    throw new Error(`cannot read the ${what} ${path}: ${(err as Error).message}`);
  }
}

export function parseVariant(value: string | undefined): Variant {
  const v = value ?? "compat";
  if (!(variants as readonly string[]).includes(v)) {
    throw new Error(`--variant must be compat or oci (got "${v}")`);
  }
  return v as Variant;
}

export interface ImageInputs {
  wasm?: string;
  runtimeConfig?: string;
  rootId?: string;
  variant?: string;
}

/** Reads the module and runtime config named by the flags (or the defaults) and builds the image. */
export async function buildFromFiles(
  inputs: ImageInputs,
): Promise<BuiltImage & { wasmPath: string; runtimeConfigPath?: string }> {
  const wasmPath = inputs.wasm ?? "build/optimized.wasm";
  const wasm = await readInput(
    wasmPath,
    "Wasm module",
    "build it with `npm run asbuild` (or `proxy-wasm-as build`)" +
      (inputs.wasm ? "" : ", or pass --wasm FILE"),
  );
  let runtimeConfigPath = inputs.runtimeConfig;
  if (runtimeConfigPath === undefined && existsSync("runtime-config.json")) {
    runtimeConfigPath = "runtime-config.json";
  }
  const runtimeConfig = runtimeConfigPath
    ? await readInput(
        runtimeConfigPath,
        "runtime config",
        "leave out --runtime-config and one is generated (its root id from --root-id)",
      )
    : undefined;
  const image = buildImage({
    wasm,
    runtimeConfig,
    rootId: inputs.rootId,
    variant: parseVariant(inputs.variant),
  });
  return { ...image, wasmPath, runtimeConfigPath };
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}
