// Builds Wasm OCI images (both variants Istio accepts) and reads and writes OCI image layouts.
import { mkdir, open, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { readTar, writeTar, type TarEntry } from "./tar.js";
import {
  MediaType,
  canonicalJson,
  checkDigest,
  isIndexMediaType,
  refNameAnnotation,
  sha256Digest,
  titleAnnotation,
  variantAnnotation,
  verifyDigest,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
} from "./types.js";

export type Variant = "compat" | "oci";
export const variants: readonly Variant[] = ["compat", "oci"];

/** A manifest and every blob it references, all in memory. */
export interface BuiltImage {
  variant: Variant;
  manifest: ImageManifest;
  manifestBytes: Buffer;
  manifestDigest: string;
  /** Config and layer blobs by digest. */
  blobs: Map<string, Buffer>;
}

export interface BuildOptions {
  wasm: Uint8Array;
  /** Contents of runtime-config.json; a default naming `rootId` is made when omitted. */
  runtimeConfig?: Uint8Array;
  rootId?: string;
  variant: Variant;
}

const wasmMagic = Buffer.from([0x00, 0x61, 0x73, 0x6d]);

/** True when the bytes start like a WebAssembly binary module. */
export function looksLikeWasm(data: Uint8Array): boolean {
  return data.length >= 8 && Buffer.from(data.subarray(0, 4)).equals(wasmMagic);
}

/** The runtime-config.json written when a project has none. */
export function defaultRuntimeConfig(rootId?: string): Buffer {
  const config = {
    type: "envoy_proxy",
    abiVersions: ["proxy_abi_version_0_2_1"],
    config: { rootIds: rootId ? [rootId] : [] },
  };
  return Buffer.from(JSON.stringify(config, null, 2) + "\n", "utf8");
}

/** gzip with a fixed header (no name, mtime 0, OS "unix") so the bytes depend only on the input. */
export function reproducibleGzip(data: Uint8Array): Buffer {
  const out = gzipSync(data, { level: 9 });
  out.writeUInt32LE(0, 4); // MTIME
  out[9] = 3; // OS = Unix, whatever machine made it
  return out;
}

function blobDescriptor(
  mediaType: string,
  data: Buffer,
  annotations?: Record<string, string>,
): Descriptor {
  const d: Descriptor = { mediaType, digest: sha256Digest(data), size: data.length };
  if (annotations) d.annotations = annotations;
  return d;
}

/** Builds the image of one variant; the same input always gives the same digests. */
export function buildImage(options: BuildOptions): BuiltImage {
  const wasm = Buffer.from(options.wasm);
  if (!looksLikeWasm(wasm))
    throw new Error("the input is not a WebAssembly module (no \\0asm header)");
  const runtimeConfig = Buffer.from(options.runtimeConfig ?? defaultRuntimeConfig(options.rootId));
  let parsedRuntime: unknown;
  try {
    parsedRuntime = JSON.parse(runtimeConfig.toString("utf8"));
  } catch (err) {
    throw new Error(`runtime-config.json is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsedRuntime !== "object" || parsedRuntime === null || Array.isArray(parsedRuntime)) {
    throw new Error("runtime-config.json must hold a JSON object");
  }
  const blobs = new Map<string, Buffer>();
  let manifest: ImageManifest;

  if (options.variant === "compat") {
    // One tar+gzip layer with plugin.wasm and runtime-config.json at its root: what
    // `FROM scratch` + `COPY runtime-config.json plugin.wasm ./` gives, minus the timestamps.
    const tar = writeTar([
      { name: "plugin.wasm", data: wasm },
      { name: "runtime-config.json", data: runtimeConfig },
    ]);
    const layer = reproducibleGzip(tar);
    const config = canonicalJson({
      architecture: "amd64",
      os: "linux",
      config: {},
      rootfs: { type: "layers", diff_ids: [sha256Digest(tar)] },
      history: [{ created_by: "proxy-wasm-as image --variant compat" }],
    });
    const configDesc = blobDescriptor(MediaType.ociConfig, config);
    const layerDesc = blobDescriptor(MediaType.ociLayerGzip, layer);
    blobs.set(configDesc.digest, config);
    blobs.set(layerDesc.digest, layer);
    manifest = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: configDesc,
      layers: [layerDesc],
      annotations: { [variantAnnotation]: "compat" },
    };
  } else if (options.variant === "oci") {
    // The Wasm artifact variant: the runtime config is the image config, the module the layer.
    const config = canonicalJson(parsedRuntime);
    const configDesc = blobDescriptor(MediaType.wasmConfig, config);
    const layerDesc = blobDescriptor(MediaType.wasmLayer, wasm, {
      [titleAnnotation]: "plugin.wasm",
    });
    blobs.set(configDesc.digest, config);
    blobs.set(layerDesc.digest, wasm);
    manifest = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: configDesc,
      layers: [layerDesc],
    };
  } else {
    throw new Error(`unknown variant "${String(options.variant)}" (compat or oci)`);
  }
  const manifestBytes = canonicalJson(manifest);
  return {
    variant: options.variant,
    manifest,
    manifestBytes,
    manifestDigest: sha256Digest(manifestBytes),
    blobs,
  };
}

// ---------------------------------------------------------------------------------------------
// OCI image layout

const ociLayout = canonicalJson({ imageLayoutVersion: "1.0.0" });

/** An image layout's index.json plus access to its blobs, from a directory or a tar. */
export interface ImageLayout {
  index: ImageIndex;
  readBlob(digest: string): Promise<Buffer>;
}

function blobPath(digest: string): string {
  checkDigest(digest, "blob");
  return `blobs/sha256/${digest.slice("sha256:".length)}`;
}

function manifestDescriptor(image: BuiltImage, refName: string | undefined): Descriptor {
  const d: Descriptor = {
    mediaType: MediaType.ociManifest,
    digest: image.manifestDigest,
    size: image.manifestBytes.length,
  };
  if (refName) d.annotations = { [refNameAnnotation]: refName };
  return d;
}

function emptyIndex(): ImageIndex {
  return { schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: [] };
}

function addToIndex(index: ImageIndex, desc: Descriptor): ImageIndex {
  const name = desc.annotations?.[refNameAnnotation];
  const manifests = index.manifests.filter((m) =>
    name === undefined
      ? m.digest !== desc.digest
      : m.annotations?.[refNameAnnotation] !== name && m.digest !== desc.digest,
  );
  manifests.push(desc);
  return { ...index, manifests };
}

export interface WriteLayoutOptions {
  /**
   * Replace an existing file that is not an image layout tar, or write into a non-empty
   * directory that is not an image layout. Without it both are refused.
   */
  force?: boolean;
}

/** True when the file starts like a layout tar this module writes (first entry "oci-layout"). */
async function isLayoutTar(path: string): Promise<boolean> {
  const block = Buffer.alloc(512);
  const fh = await open(path, "r");
  try {
    const { bytesRead } = await fh.read(block, 0, 512, 0);
    if (bytesRead < 512) return false;
  } finally {
    await fh.close();
  }
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i];
  const stored = parseInt(
    block.subarray(148, 156).toString("latin1").replace(/\0.*$/s, "").trim(),
    8,
  );
  const name = block.subarray(0, 100).toString("utf8").replace(/\0.*$/s, "");
  return stored === sum && name === "oci-layout" && block.subarray(257, 262).toString() === "ustar";
}

/** Refuses to overwrite what is not a previous image layout, unless forced. */
async function checkOut(out: string, force: boolean): Promise<void> {
  const info = await stat(out).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT") return undefined;
    throw err;
  });
  if (!info) return;
  const asTar = out.endsWith(".tar");
  if (asTar) {
    if (info.isDirectory()) {
      throw new Error(`${out} is a directory; --out FILE.tar writes a file`);
    }
    if (force || (info.isFile() && (await isLayoutTar(out)))) return;
    throw new Error(
      `${out} exists and is not an image layout tar; refusing to replace it (pass --force to ` +
        `overwrite it, or choose another --out)`,
    );
  }
  if (!info.isDirectory()) {
    if (force) {
      await rm(out, { force: true });
      return;
    }
    throw new Error(
      `${out} exists and is not a directory; refusing to replace it (pass --force to ` +
        `overwrite it, or choose another --out)`,
    );
  }
  const entries = await readdir(out);
  if (entries.length === 0 || force) return;
  const layout = await readFile(join(out, "oci-layout"), "utf8").then(
    (text) => (JSON.parse(text) as { imageLayoutVersion?: string }).imageLayoutVersion,
    () => undefined,
  );
  if (layout !== undefined) return; // an image layout: the image is added to it
  const shown = entries.slice(0, 3).join(", ") + (entries.length > 3 ? ", …" : "");
  throw new Error(
    `${out} is a non-empty directory that is not an image layout (it holds ${shown}); ` +
      `refusing to write into it (pass --force to write the layout there anyway, or choose ` +
      `another --out)`,
  );
}

/**
 * Writes the image as an OCI image layout. A path ending in ".tar" gets a tar archive (one image);
 * otherwise a directory, created if needed; an existing layout directory keeps its other images
 * and the new one replaces any entry of the same ref name.
 *
 * What is already at `out` is only replaced when it is an image layout (a layout directory,
 * or a tar whose first entry is "oci-layout", as this function writes it): an unrelated file
 * or a non-empty directory is refused unless `force` is set.
 */
export async function writeLayout(
  image: BuiltImage,
  out: string,
  refName: string | undefined,
  options: WriteLayoutOptions = {},
): Promise<void> {
  await checkOut(out, options.force ?? false);
  const desc = manifestDescriptor(image, refName);
  if (out.endsWith(".tar")) {
    const index = addToIndex(emptyIndex(), desc);
    const blobs = new Map(image.blobs);
    blobs.set(image.manifestDigest, image.manifestBytes);
    const entries: TarEntry[] = [
      { name: "oci-layout", data: ociLayout },
      { name: "index.json", data: canonicalJson(index) },
      { name: "blobs" },
      { name: "blobs/sha256" },
    ];
    for (const digest of [...blobs.keys()].sort()) {
      entries.push({ name: blobPath(digest), data: blobs.get(digest)! });
    }
    await mkdir(dirname(out), { recursive: true });
    await writeAtomic(out, writeTar(entries));
    return;
  }
  await mkdir(join(out, "blobs", "sha256"), { recursive: true });
  let index = emptyIndex();
  try {
    index = JSON.parse(await readFile(join(out, "index.json"), "utf8")) as ImageIndex;
    if (!Array.isArray(index.manifests)) throw new Error("no manifests array");
  } catch (err) {
    if (options.force) {
      index = emptyIndex(); // --force: whatever index.json held is replaced
    } else if ((err as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new Error(
        `${join(out, "index.json")} is not an OCI image index: ${(err as Error).message}`,
      );
    }
  }
  await writeFile(join(out, "oci-layout"), ociLayout);
  for (const [digest, data] of image.blobs) await writeFile(join(out, blobPath(digest)), data);
  await writeFile(join(out, blobPath(image.manifestDigest)), image.manifestBytes);
  await writeAtomic(join(out, "index.json"), canonicalJson(addToIndex(index, desc)));
}

async function writeAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** Opens an OCI image layout directory or a tar of one; every blob read is digest-checked. */
export async function openLayout(path: string): Promise<ImageLayout> {
  const info = await stat(path).catch(() => {
    throw new Error(`no image layout at ${path}`);
  });
  let files: Map<string, Buffer> | undefined;
  let readRaw: (name: string) => Promise<Buffer>;
  if (info.isDirectory()) {
    readRaw = (name) => readFile(join(path, name));
  } else {
    files = new Map(
      readTar(await readFile(path)).flatMap((e) => (e.data ? [[e.name, Buffer.from(e.data)]] : [])),
    );
    readRaw = async (name) => {
      const data = files!.get(name);
      if (!data) throw Object.assign(new Error(`${name} missing`), { code: "ENOENT" });
      return data;
    };
  }
  let layoutFile: Buffer;
  try {
    layoutFile = await readRaw("oci-layout");
  } catch {
    throw new Error(`${path} is not an OCI image layout (no oci-layout file)`);
  }
  const version = (JSON.parse(layoutFile.toString("utf8")) as { imageLayoutVersion?: string })
    .imageLayoutVersion;
  if (version !== "1.0.0") throw new Error(`${path}: unsupported image layout version ${version}`);
  const index = JSON.parse((await readRaw("index.json")).toString("utf8")) as ImageIndex;
  return {
    index,
    async readBlob(digest: string): Promise<Buffer> {
      let data: Buffer;
      try {
        data = await readRaw(blobPath(digest));
      } catch {
        throw new Error(`${path}: blob ${digest} is missing`);
      }
      verifyDigest(data, digest, `blob ${digest} in ${path}`);
      return data;
    },
  };
}

/**
 * Picks the manifest to use from a layout: the one whose ref name is `refName`, or the only one.
 */
export function selectFromLayout(layout: ImageLayout, refName: string | undefined): Descriptor {
  const all = layout.index.manifests;
  if (refName !== undefined) {
    const found = all.filter((m) => m.annotations?.[refNameAnnotation] === refName);
    if (found.length === 1) return found[0];
    if (found.length === 0) {
      const names = all.map((m) => m.annotations?.[refNameAnnotation] ?? m.digest).join(", ");
      throw new Error(`no image named "${refName}" in the layout (it has: ${names || "nothing"})`);
    }
  }
  if (all.length === 1) return all[0];
  if (all.length === 0) throw new Error("the image layout holds no image");
  throw new Error(
    "the image layout holds several images; choose one with --tag (" +
      all.map((m) => m.annotations?.[refNameAnnotation] ?? m.digest).join(", ") +
      ")",
  );
}

/** Everything reachable from a manifest or index in a layout: blobs first, then manifests. */
export async function collectFromLayout(
  layout: ImageLayout,
  root: Descriptor,
): Promise<{ blobs: Map<string, Buffer>; manifests: { desc: Descriptor; bytes: Buffer }[] }> {
  const blobs = new Map<string, Buffer>();
  const manifests: { desc: Descriptor; bytes: Buffer }[] = [];
  const visit = async (desc: Descriptor): Promise<void> => {
    const bytes = await layout.readBlob(desc.digest);
    const parsed = JSON.parse(bytes.toString("utf8")) as Partial<ImageManifest & ImageIndex>;
    const mediaType = parsed.mediaType ?? desc.mediaType;
    if (isIndexMediaType(mediaType) || Array.isArray(parsed.manifests)) {
      for (const child of parsed.manifests ?? []) await visit(child);
    } else {
      for (const blob of [parsed.config!, ...(parsed.layers ?? [])]) {
        if (!blobs.has(blob.digest)) blobs.set(blob.digest, await layout.readBlob(blob.digest));
      }
    }
    manifests.push({ desc: { ...desc, mediaType }, bytes });
  };
  await visit(root);
  return { blobs, manifests };
}
