// push: an image (built in memory or read from a layout) to a registry.
// pull: a Wasm plugin out of any image shape Istio accepts.
import { createReadStream } from "node:fs";
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createGunzip } from "node:zlib";
import { looksLikeWasm } from "./image.js";
import { formatReference } from "./reference.js";
import {
  RegistryError,
  humanBytes,
  maxInMemoryBlobBytes,
  type RegistryClient,
} from "./registry.js";
import { scanTar } from "./tar.js";
import {
  MediaType,
  isIndexMediaType,
  sha256Digest,
  variantAnnotation,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
} from "./types.js";

export type Progress = (line: string) => void;
const quiet: Progress = () => {};

export interface PushInput {
  blobs: Map<string, Buffer>;
  /** Manifests to upload, children before the index that lists them; the last one is tagged. */
  manifests: { mediaType: string; bytes: Buffer }[];
}

export interface PushResult {
  reference: string;
  digest: string;
  mediaType: string;
  size: number;
  blobsUploaded: number;
  blobsSkipped: number;
}

const human = humanBytes;

/**
 * The largest plugin.wasm `pull` accepts: 256 MiB. Neither Envoy (its remote data source and
 * Wasm loader buffer the whole module) nor Istio's image fetcher sets an explicit bound, so
 * this one is ours: two orders of magnitude above any real filter (a few KiB to a few MiB),
 * and small enough that a hostile image cannot exhaust memory.
 */
export const maxWasmBytes = 256 * 1024 * 1024;
/** The largest image layer `pull` downloads, and the most a layer may inflate to: 2 GiB. */
export const maxLayerBytes = 2 * 1024 * 1024 * 1024;

export interface PullOptions {
  /** plugin.wasm larger than this is refused (default maxWasmBytes, 256 MiB). */
  maxWasmBytes?: number;
  /** Layers larger than this, compressed or inflated, are refused (default maxLayerBytes). */
  maxLayerBytes?: number;
  /** Where downloads are staged (a fresh directory under the system's temp dir by default). */
  tmpDir?: string;
}

/** Uploads blobs then manifests; the last manifest goes under the client's tag (or by digest). */
export async function pushImage(
  client: RegistryClient,
  input: PushInput,
  progress: Progress = quiet,
): Promise<PushResult> {
  let uploaded = 0;
  let skipped = 0;
  for (const [digest, data] of input.blobs) {
    const sent = await client.pushBlob(digest, data);
    if (sent) uploaded++;
    else skipped++;
    progress(`${sent ? "pushed" : "exists"} ${digest.slice(0, 19)} (${human(data.length)})`);
  }
  const root = input.manifests[input.manifests.length - 1];
  for (const m of input.manifests.slice(0, -1)) {
    await client.putManifest(sha256Digest(m.bytes), m.bytes, m.mediaType);
  }
  const ref = client.ref;
  const target = ref.tag ?? ref.digest!;
  if (ref.digest && ref.digest !== sha256Digest(root.bytes)) {
    throw new Error(
      `the image's digest is ${sha256Digest(root.bytes)}, not the ${ref.digest} named in the reference`,
    );
  }
  const digest = await client.putManifest(target, root.bytes, root.mediaType);
  progress(`pushed manifest ${digest} as ${formatReference(ref)}`);
  return {
    reference: formatReference({ ...ref, digest: undefined }),
    digest,
    mediaType: root.mediaType,
    size: root.bytes.length,
    blobsUploaded: uploaded,
    blobsSkipped: skipped,
  };
}

export type Shape = "oci" | "compat" | "docker";

export interface PullResult {
  wasm: Buffer;
  /** sha256 of plugin.wasm itself. */
  wasmDigest: string;
  /** The digest the reference resolved to (an index's digest when it named one). */
  digest: string;
  /** The image manifest the module came from. */
  manifestDigest: string;
  shape: Shape;
  /** runtime-config.json from a compat layer or the Wasm config blob, when there is one. */
  runtimeConfig?: Buffer;
}

const tarLayerTypes = new Set<string>([
  MediaType.ociLayer,
  MediaType.ociLayerGzip,
  MediaType.dockerLayer,
  MediaType.dockerLayerGzip,
  "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
  "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
]);

/** Chooses the manifest of an index: linux/amd64 (Istio's default platform), else the only one. */
export function chooseFromIndex(index: ImageIndex): Descriptor {
  const manifests = index.manifests ?? [];
  if (manifests.length === 0) throw new Error("the image index lists no manifests");
  const usable = manifests.filter((m) => !isIndexMediaType(m.mediaType) || manifests.length === 1);
  const byPlatform = (arch: string, os: string) =>
    usable.find((m) => m.platform?.architecture === arch && m.platform?.os === os);
  return (
    byPlatform("amd64", "linux") ??
    byPlatform("wasm", "wasip1") ??
    byPlatform("wasm", "wasi") ??
    usable.find((m) => !m.platform) ??
    usable[0] ??
    manifests[0]
  );
}

/**
 * Streams a downloaded layer (tar, or gzip of a tar) through the tar reader, keeping only
 * plugin.wasm and runtime-config.json, and stopping as soon as either is too large or the
 * layer inflates past `maxLayer`.
 */
async function findPluginInLayer(
  file: string,
  layer: Descriptor,
  maxWasm: number,
  maxLayer: number,
): Promise<{ wasm?: Buffer; runtimeConfig?: Buffer }> {
  const head = Buffer.alloc(2);
  const fh = await open(file, "r");
  try {
    await fh.read(head, 0, 2, 0);
  } finally {
    await fh.close();
  }
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  const input = createReadStream(file);
  const source = gzipped ? input.pipe(createGunzip()) : input;
  if (gzipped) input.on("error", (err) => source.destroy(err));
  const isPlugin = (name: string) => name === "plugin.wasm" || name.endsWith("/plugin.wasm");
  const isConfig = (name: string) =>
    name === "runtime-config.json" || name.endsWith("/runtime-config.json");
  let entries;
  try {
    entries = await scanTar(source, {
      want(name, size) {
        if (isPlugin(name) && size > maxWasm) {
          throw new RegistryError(
            `${name} in layer ${layer.digest} is ${size} bytes (${human(size)}), more than the ` +
              `${human(maxWasm)} accepted for a Wasm module; refusing it`,
            "too-large",
          );
        }
        if (isConfig(name) && size > maxInMemoryBlobBytes) {
          throw new RegistryError(
            `${name} in layer ${layer.digest} is ${human(size)}, more than the ` +
              `${human(maxInMemoryBlobBytes)} accepted; refusing it`,
            "too-large",
          );
        }
        return isPlugin(name) || isConfig(name);
      },
      onData(total) {
        if (total > maxLayer) {
          throw new RegistryError(
            `layer ${layer.digest} inflates to more than ${human(maxLayer)}; refusing it ` +
              `(a compression bomb?)`,
            "too-large",
          );
        }
      },
    });
  } catch (err) {
    if (err instanceof RegistryError) throw err;
    const what = gzipped ? "gzip of a tar" : "tar";
    throw new Error(`layer ${layer.digest} is not a valid ${what}: ${(err as Error).message}`);
  } finally {
    input.destroy();
    source.destroy();
  }
  // As before: an exact "plugin.wasm" first, else the first one in a directory.
  const file1 = (test: (n: string) => boolean, exact: string) =>
    entries.find((e) => e.name === exact) ?? entries.find((e) => test(e.name));
  const wasm = file1(isPlugin, "plugin.wasm")?.data;
  const runtimeConfig = file1(isConfig, "runtime-config.json")?.data;
  return {
    wasm: wasm ? Buffer.from(wasm.buffer, wasm.byteOffset, wasm.byteLength) : undefined,
    runtimeConfig: runtimeConfig ? Buffer.from(runtimeConfig) : undefined,
  };
}

/** Resolves the reference (following an index) and extracts plugin.wasm, checking every digest. */
export async function pullWasm(
  client: RegistryClient,
  progress: Progress = quiet,
  options: PullOptions = {},
): Promise<PullResult> {
  const tmp = options.tmpDir ?? (await mkdtemp(join(tmpdir(), "proxy-wasm-as-pull-")));
  try {
    return await pullInto(client, progress, options, tmp);
  } finally {
    if (options.tmpDir === undefined) await rm(tmp, { recursive: true, force: true });
  }
}

async function pullInto(
  client: RegistryClient,
  progress: Progress,
  options: PullOptions,
  tmp: string,
): Promise<PullResult> {
  const maxWasm = options.maxWasmBytes ?? maxWasmBytes;
  const maxLayer = options.maxLayerBytes ?? maxLayerBytes;
  const ref = client.ref;
  progress(`resolving ${formatReference(ref)}`);
  let fetched = await client.getManifest(ref.digest ?? ref.tag!);
  const resolved = fetched.digest;
  for (let depth = 0; isIndexMediaType(fetched.mediaType); depth++) {
    if (depth > 3) throw new Error("image indexes nest too deeply");
    const index = JSON.parse(fetched.bytes.toString("utf8")) as ImageIndex;
    const child = chooseFromIndex(index);
    const platform = child.platform ? ` (${child.platform.os}/${child.platform.architecture})` : "";
    progress(
      `index ${fetched.digest.slice(0, 19)}: using manifest ${child.digest.slice(0, 19)}${platform}`,
    );
    fetched = await client.getManifest(child.digest);
  }
  const manifest = JSON.parse(fetched.bytes.toString("utf8")) as ImageManifest;
  if (!manifest.config || !Array.isArray(manifest.layers)) {
    throw new Error(
      `${formatReference(ref)} is not an image manifest (media type ${fetched.mediaType})`,
    );
  }
  const docker = fetched.mediaType === MediaType.dockerManifest;
  let result: Omit<PullResult, "wasmDigest" | "digest" | "manifestDigest"> | undefined;

  const wasmLayers = manifest.layers.filter((l) => l.mediaType === MediaType.wasmLayer);
  if (wasmLayers.length > 1) {
    throw new Error(`${formatReference(ref)} has ${wasmLayers.length} Wasm layers; expected one`);
  }
  if (wasmLayers.length === 1) {
    progress(`fetching Wasm layer ${wasmLayers[0].digest.slice(0, 19)}`);
    const file = join(tmp, "wasm-layer");
    await client.downloadBlob(wasmLayers[0], file, maxWasm);
    const wasm = await readFile(file);
    let runtimeConfig: Buffer | undefined;
    if (manifest.config.mediaType === MediaType.wasmConfig) {
      runtimeConfig = await client.getBlob(manifest.config);
    }
    result = { wasm, shape: "oci", runtimeConfig };
  } else {
    // An image whose filesystem holds plugin.wasm: the later layer wins, as in a container.
    const layers = manifest.layers.filter((l) => tarLayerTypes.has(l.mediaType));
    if (layers.length === 0) {
      const types = manifest.layers.map((l) => l.mediaType).join(", ") || "none";
      throw new Error(
        `${formatReference(ref)} is not a Wasm image: no Wasm or tar layer (layer media types: ${types})`,
      );
    }
    for (const layer of [...layers].reverse()) {
      progress(`fetching layer ${layer.digest.slice(0, 19)}`);
      const file = join(tmp, layer.digest.replace(/[^a-z0-9]/gi, "-"));
      await rm(file, { force: true });
      await client.downloadBlob(layer, file, maxLayer);
      const found = await findPluginInLayer(file, layer, maxWasm, maxLayer);
      await rm(file, { force: true });
      if (found.wasm) {
        const compat = manifest.annotations?.[variantAnnotation] === "compat";
        result = {
          wasm: found.wasm,
          runtimeConfig: found.runtimeConfig,
          shape: compat ? "compat" : docker ? "docker" : "compat",
        };
        break;
      }
    }
    if (!result) {
      throw new Error(`${formatReference(ref)} has no plugin.wasm in any of its layers`);
    }
  }
  if (!looksLikeWasm(result.wasm)) {
    throw new Error(`plugin.wasm in ${formatReference(ref)} is not a WebAssembly module`);
  }
  return {
    ...result,
    wasmDigest: sha256Digest(result.wasm),
    digest: resolved,
    manifestDigest: fetched.digest,
  };
}
