// `proxy-wasm-as push`: uploads an image to an OCI registry.
import { existsSync } from "node:fs";
import type { Command } from "../command.js";
import { UsageError, fileErrorMessage, parseArgs, stringFlag } from "../command.js";
import { buildFromFiles, printJson, progressPrinter } from "../../oci/cli.js";
import { collectFromLayout, openLayout, selectFromLayout } from "../../oci/image.js";
import { formatReference, isLoopback, parseReference } from "../../oci/reference.js";
import { RegistryClient } from "../../oci/registry.js";
import { pushImage, type PushInput } from "../../oci/transfer.js";
import { staleWarning } from "../project.js";

const help = `usage: proxy-wasm-as push IMAGE_LAYOUT REF [options]
       proxy-wasm-as push --wasm FILE REF [options]

Uploads an image to an OCI registry over the distribution API: each blob (skipped when the
registry has it), then the manifest under REF's tag. IMAGE_LAYOUT is what \`proxy-wasm-as image\`
wrote (a directory or a .tar); with --wasm the image is built on the fly instead.

REF is [oci://]REGISTRY/REPOSITORY[:TAG], e.g. ghcr.io/me/my-filter:v1 (default tag latest).

Credentials: PROXY_WASM_AS_REGISTRY_USER and PROXY_WASM_AS_REGISTRY_PASSWORD, otherwise
~/.docker/config.json ($DOCKER_CONFIG; inline auths or credential helpers), otherwise the
containers auth.json of podman/skopeo. Basic and bearer-token auth are both handled.
Credentials go only to the registry itself and to the token service it names (an upload
location or a redirect to another host gets none), and never over plain HTTP unless
--insecure is given. They are never printed: registry error messages are shown cut short,
with anything that looks like a credential replaced by [redacted].

options:
  --name NAME             which image of a layout holding several (its index.json ref name;
                          default: the only one, or the one named like REF's tag)
  --wasm FILE             build the image from this module instead of reading a layout
  --runtime-config FILE   with --wasm: runtime-config.json (default ./runtime-config.json)
  --root-id ID            with --wasm: root id for a generated runtime-config.json
  --variant compat|oci    with --wasm: image variant (default compat)
  --insecure              talk plain HTTP to the registry (e.g. a local test registry),
                          credentials included; without it the registry must serve HTTPS,
                          localhost included
  --json                  print the pushed digest as JSON on stdout
  --quiet                 no progress on stderr`;

export const command: Command = {
  name: "push",
  summary: "push an image (layout or freshly built) to an OCI registry",
  help,
  async run(args: string[]): Promise<number> {
    const parsed = parseArgs(
      args,
      ["name", "wasm", "runtime-config", "root-id", "variant"],
      ["insecure", "json", "quiet"],
    );
    const progress = progressPrinter(!parsed.flags.has("quiet"));
    const wasm = stringFlag(parsed, "wasm");
    let layoutPath: string | undefined;
    let refText: string;
    if (wasm !== undefined) {
      if (parsed.positionals.length !== 1)
        throw new UsageError("with --wasm, give exactly one REF");
      refText = parsed.positionals[0];
    } else {
      if (parsed.positionals.length !== 2)
        throw new UsageError("give IMAGE_LAYOUT and REF (or --wasm FILE REF)");
      [layoutPath, refText] = parsed.positionals;
    }
    let ref;
    try {
      ref = parseReference(refText);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    let input: PushInput;
    if (layoutPath === undefined) {
      const image = await buildFromFiles({
        wasm,
        runtimeConfig: stringFlag(parsed, "runtime-config"),
        rootId: stringFlag(parsed, "root-id"),
        variant: stringFlag(parsed, "variant"),
      });
      const stale = await staleWarning(image.wasmPath);
      if (stale !== undefined) process.stderr.write(`${stale}\n`);
      progress(`built ${image.variant} image ${image.manifestDigest} from ${image.wasmPath}`);
      input = {
        blobs: image.blobs,
        manifests: [{ mediaType: image.manifest.mediaType!, bytes: image.manifestBytes }],
      };
    } else {
      for (const flag of ["runtime-config", "root-id", "variant"]) {
        if (parsed.flags.has(flag)) throw new UsageError(`--${flag} only goes with --wasm`);
      }
      if (!existsSync(layoutPath)) {
        throw new Error(
          `${layoutPath} does not exist; write the image with \`proxy-wasm-as image --out ${layoutPath}\`` +
            " (or push a module with --wasm FILE REF)",
        );
      }
      const stale = await staleWarning(
        layoutPath,
        `\`npm run asbuild\` and \`proxy-wasm-as image --out ${layoutPath}\``,
      );
      if (stale !== undefined) process.stderr.write(`${stale}\n`);
      const layout = await openLayout(layoutPath);
      let name = stringFlag(parsed, "name");
      if (name === undefined && layout.index.manifests.length > 1 && ref.tag !== undefined) {
        name = ref.tag;
      }
      const root = selectFromLayout(layout, name);
      const collected = await collectFromLayout(layout, root).catch((err: unknown) => {
        const missing = (err as NodeJS.ErrnoException).code === "ENOENT";
        if (!missing) throw err;
        // A blob deleted or never copied: the layout cannot be pushed as it is.
        throw new Error(
          `${layoutPath} is incomplete (${fileErrorMessage(err) ?? (err as Error).message});` +
            ` write it again with \`proxy-wasm-as image --out ${layoutPath}\``,
        );
      });
      input = {
        blobs: collected.blobs,
        manifests: collected.manifests.map((m) => ({
          mediaType: m.desc.mediaType,
          bytes: m.bytes,
        })),
      };
      progress(`read image ${root.digest} from ${layoutPath}`);
    }
    if (parsed.flags.has("insecure") && !isLoopback(ref.registry)) {
      process.stderr.write(
        `warning: --insecure: talking plain HTTP to ${ref.registry}; credentials and content are not encrypted\n`,
      );
    }
    const client = new RegistryClient(ref, ["pull", "push"], {
      insecure: parsed.flags.has("insecure"),
    });
    progress(`pushing to ${formatReference(ref)}`);
    const result = await pushImage(client, input, progress);
    if (parsed.flags.has("json")) {
      printJson(result);
    } else {
      console.log(`pushed ${result.reference}@${result.digest}`);
    }
    return 0;
  },
};
