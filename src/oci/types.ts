// OCI media types, descriptors and manifests: the small part of the image and distribution
// specifications that Wasm images use.
import { createHash } from "node:crypto";

export const MediaType = {
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  ociLayer: "application/vnd.oci.image.layer.v1.tar",
  ociLayerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
  dockerLayer: "application/vnd.docker.image.rootfs.diff.tar",
  wasmConfig: "application/vnd.module.wasm.config.v1+json",
  wasmLayer: "application/vnd.module.wasm.content.layer.v1+wasm",
} as const;

/** The manifest media types `pull` asks for, best first. */
export const manifestAccept = [
  MediaType.ociManifest,
  MediaType.ociIndex,
  MediaType.dockerManifest,
  MediaType.dockerManifestList,
].join(", ");

/** The annotation that marks the "compat" Wasm image variant. */
export const variantAnnotation = "module.wasm.image/variant";
/** The annotation that names a manifest in an image layout's index.json. */
export const refNameAnnotation = "org.opencontainers.image.ref.name";
/** The annotation that names a layer's file (used by ORAS and friends). */
export const titleAnnotation = "org.opencontainers.image.title";

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

/** `sha256:<hex>` of some bytes. */
export function sha256Digest(data: Uint8Array): string {
  return "sha256:" + createHash("sha256").update(data).digest("hex");
}

const digestPattern = /^sha256:[a-f0-9]{64}$/;

/** True for a `sha256:<64 hex>` digest, the only algorithm this client writes or accepts. */
export function isDigest(value: string): boolean {
  return digestPattern.test(value);
}

/** Throws unless `value` is a well-formed sha256 digest (guards file paths built from it). */
export function checkDigest(value: string, what: string): string {
  if (!isDigest(value)) throw new Error(`${what}: not a sha256 digest: ${JSON.stringify(value)}`);
  return value;
}

/** Throws "digest mismatch for WHAT" unless `data` hashes to `expected`. */
export function verifyDigest(data: Uint8Array, expected: string, what: string): void {
  const actual = sha256Digest(data);
  if (actual !== expected) {
    throw new Error(`digest mismatch for ${what}: expected ${expected}, got ${actual}`);
  }
}

export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaType.ociIndex || mediaType === MediaType.dockerManifestList;
}

/** Serializes JSON the same way every time (keys in insertion order, no spaces). */
export function canonicalJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), "utf8");
}
