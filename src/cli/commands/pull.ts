// `proxy-wasm-as pull`: fetches an image and extracts plugin.wasm.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Command } from "../command.js";
import { UsageError, parseArgs, stringFlag } from "../command.js";
import { printJson, progressPrinter } from "../../oci/cli.js";
import { formatReference, isLoopback, parseReference } from "../../oci/reference.js";
import { RegistryClient } from "../../oci/registry.js";
import { pullWasm } from "../../oci/transfer.js";

const help = `usage: proxy-wasm-as pull REF [options]

Downloads an image from an OCI registry, checks the digest of the manifest and of every blob,
and writes its Wasm module. Every shape Istio accepts works: the "oci" variant (a
application/vnd.module.wasm.content.layer.v1+wasm layer), the "compat" variant and any
Docker/OCI image whose layers hold plugin.wasm; an image index is followed (linux/amd64 first).

REF is [oci://]REGISTRY/REPOSITORY[:TAG|@sha256:DIGEST].
Credentials are read, and kept to the registry, as for \`proxy-wasm-as push\` (see its --help).

Limits: a manifest over 4 MiB, a blob longer than its declared size, a plugin.wasm over
256 MiB and a layer over 2 GiB (downloaded, or once decompressed) are refused. Layers are
streamed to a temporary file, never held in memory whole.

options:
  --out FILE              where to write the module (default plugin.wasm)
  --runtime-config FILE   also write the image's runtime-config.json, when it has one
  --insecure              talk plain HTTP to the registry (credentials then travel over
                          plain HTTP too); without it the registry must serve HTTPS,
                          localhost included
  --json                  print digests and the image shape as JSON on stdout
  --quiet                 no progress on stderr`;

export const command: Command = {
  name: "pull",
  summary: "pull an image from an OCI registry and extract plugin.wasm",
  help,
  async run(args: string[]): Promise<number> {
    const parsed = parseArgs(args, ["out", "runtime-config"], ["insecure", "json", "quiet"]);
    if (parsed.positionals.length !== 1) throw new UsageError("give exactly one REF");
    let ref;
    try {
      ref = parseReference(parsed.positionals[0]);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const progress = progressPrinter(!parsed.flags.has("quiet"));
    const out = stringFlag(parsed, "out") ?? "plugin.wasm";
    if (parsed.flags.has("insecure") && !isLoopback(ref.registry)) {
      process.stderr.write(
        `warning: --insecure: talking plain HTTP to ${ref.registry}; credentials and content are not encrypted\n`,
      );
    }
    const client = new RegistryClient(ref, ["pull"], { insecure: parsed.flags.has("insecure") });
    const result = await pullWasm(client, progress);
    await mkdir(dirname(out), { recursive: true });
    await writeFile(out, result.wasm);
    const runtimeOut = stringFlag(parsed, "runtime-config");
    if (runtimeOut !== undefined) {
      if (result.runtimeConfig) {
        await mkdir(dirname(runtimeOut), { recursive: true });
        await writeFile(runtimeOut, result.runtimeConfig);
      } else {
        progress(`the image has no runtime-config.json; ${runtimeOut} not written`);
      }
    }
    if (parsed.flags.has("json")) {
      printJson({
        reference: formatReference(ref),
        digest: result.digest,
        manifestDigest: result.manifestDigest,
        shape: result.shape,
        wasmSha256: result.wasmDigest,
        size: result.wasm.length,
        out,
      });
    } else {
      console.log(
        `pulled ${formatReference({ ...ref, digest: undefined })}@${result.digest} (${result.shape})`,
      );
      console.log(`  ${out}: ${result.wasm.length} bytes, ${result.wasmDigest}`);
    }
    return 0;
  },
};
