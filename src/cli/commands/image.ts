// `proxy-wasm-as image`: builds the Wasm OCI image (compat or oci variant) without Docker.
import type { Command } from "../command.js";
import { UsageError, parseArgs, stringFlag } from "../command.js";
import { buildFromFiles, printJson, progressPrinter } from "../../oci/cli.js";
import { writeLayout } from "../../oci/image.js";
import { staleWarning } from "../project.js";

const help = `usage: proxy-wasm-as image [options]

Builds the filter's OCI image without Docker and writes it as an OCI image layout
(a directory, or a tar when --out ends in .tar). The same input always gives the same digest.

Variants (both are accepted by Istio's WasmPlugin):
  compat   one tar+gzip layer holding plugin.wasm and runtime-config.json, a normal image
           config and the annotation module.wasm.image/variant=compat (what the
           project's Dockerfile builds)
  oci      config application/vnd.module.wasm.config.v1+json (the runtime config) and one
           layer application/vnd.module.wasm.content.layer.v1+wasm (the raw module)

options:
  --wasm FILE             the module (default build/optimized.wasm)
  --runtime-config FILE   runtime-config.json (default ./runtime-config.json if present,
                          otherwise one is generated)
  --root-id ID            root id written into a generated runtime-config.json
  --variant compat|oci    image variant (default compat)
  --out DIR|FILE.tar      where to write the layout (default build/image)
  --tag NAME[:TAG]        name recorded in the layout's index.json (default latest); an
                          existing layout directory keeps its other names
  --force                 write even when --out is an existing file that is not an image
                          layout tar (it is replaced) or a non-empty directory that is not
                          an image layout (the layout is written among its files); without
                          it both are refused. A layout directory or tar written before
                          is updated or replaced without --force
  --json                  print the digests as JSON on stdout
  --quiet                 no progress on stderr

Push the result with \`proxy-wasm-as push build/image REGISTRY/REPO:TAG\`.`;

export const command: Command = {
  name: "image",
  summary: "build the filter's OCI image (compat or oci variant) without Docker",
  help,
  async run(args: string[]): Promise<number> {
    const parsed = parseArgs(
      args,
      ["wasm", "runtime-config", "root-id", "variant", "out", "tag"],
      ["json", "quiet", "force"],
    );
    if (parsed.positionals.length > 0) {
      throw new UsageError(`unexpected argument "${parsed.positionals[0]}"`);
    }
    const progress = progressPrinter(!parsed.flags.has("quiet"));
    const out = stringFlag(parsed, "out") ?? "build/image";
    const tagFlag = stringFlag(parsed, "tag");
    // "name:tag" → "tag"; a bare word is the tag itself; "host:5000/name" has no tag
    let refName = "latest";
    if (tagFlag !== undefined) {
      const colon = tagFlag.lastIndexOf(":");
      if (colon < 0) refName = tagFlag.includes("/") ? "latest" : tagFlag;
      else if (!tagFlag.slice(colon + 1).includes("/")) refName = tagFlag.slice(colon + 1);
    }
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(refName)) {
      throw new UsageError(`--tag: "${refName}" is not a valid tag`);
    }
    const image = await buildFromFiles({
      wasm: stringFlag(parsed, "wasm"),
      runtimeConfig: stringFlag(parsed, "runtime-config"),
      rootId: stringFlag(parsed, "root-id"),
      variant: stringFlag(parsed, "variant"),
    });
    const stale = await staleWarning(image.wasmPath);
    if (stale !== undefined) process.stderr.write(`${stale}\n`);
    progress(
      `building ${image.variant} image from ${image.wasmPath}` +
        (image.runtimeConfigPath
          ? ` and ${image.runtimeConfigPath}`
          : " (generated runtime-config.json)"),
    );
    await writeLayout(image, out, refName, { force: parsed.flags.has("force") });
    const layers = image.manifest.layers.map((l) => ({
      mediaType: l.mediaType,
      digest: l.digest,
      size: l.size,
    }));
    if (parsed.flags.has("json")) {
      printJson({
        variant: image.variant,
        digest: image.manifestDigest,
        mediaType: image.manifest.mediaType,
        size: image.manifestBytes.length,
        config: {
          mediaType: image.manifest.config.mediaType,
          digest: image.manifest.config.digest,
          size: image.manifest.config.size,
        },
        layers,
        out,
        tag: refName,
      });
    } else {
      console.log(`${image.variant} image ${image.manifestDigest}`);
      console.log(`  written to ${out} (tag ${refName})`);
      for (const l of layers) console.log(`  layer ${l.digest} ${l.mediaType} (${l.size} bytes)`);
    }
    return 0;
  },
};
