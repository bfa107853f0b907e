// `proxy-wasm-as init`: a new filter project from the starter template or an example.
import type { Command } from "../command.js";
import { UsageError, parseArgs, stringFlag } from "../command.js";
import {
  ROOT_ID_PATTERN,
  ScaffoldError,
  displayPath,
  listExamples,
  scaffold,
} from "../scaffold.js";

const help = `usage: proxy-wasm-as init DIR [options]

Creates a Proxy-Wasm filter project in DIR (which must not exist, or be empty): the filter in
assembly/index.ts, a test through the host emulator, asconfig.json, package.json,
runtime-config.json, Dockerfile, envoy.yaml, wasmplugin.yaml, a CI workflow, prettier settings
and a README saying how to build, test, run, package, push and deploy it.

options:
  --name ROOT_ID   the filter's root id (Envoy root_id, Istio pluginName); it must match
                   ${ROOT_ID_PATTERN.source}. Default: the example's, or made from DIR
                   ("my-filter" → my_filter)
  --example NAME   start from one of the SDK's examples instead of the starter filter
                   (its assembly/, test/, README.md, envoy.yaml and wasmplugin.yaml, with the
                   template's project files); --list-examples shows them
  --sdk SPEC       the proxy-wasm-as dependency written into package.json. Default:
                   ^VERSION when this CLI was installed from the npm registry; otherwise
                   (a clone, or a tarball made by \`npm pack\`) this SDK is packed into
                   vendor/ and the project depends on file:vendor/proxy-wasm-as-VERSION.tgz,
                   which npm install and npm ci both take offline. A file: SPEC is checked.
  --list-examples  print the example names and exit
  --json           print what was written as JSON on stdout
  --quiet          no next steps on stdout`;

async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args, ["name", "example", "sdk"], ["json", "quiet", "list-examples"]);
  const json = parsed.flags.has("json");
  if (parsed.flags.has("list-examples")) {
    const examples = await listExamples();
    console.log(json ? JSON.stringify({ examples }) : examples.join("\n"));
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    throw new UsageError(
      parsed.positionals.length === 0 ? "DIR is required" : "only one DIR can be given",
    );
  }
  const dir = parsed.positionals[0];
  const sdkSpec = stringFlag(parsed, "sdk");
  if (sdkSpec !== undefined && sdkSpec.trim() === "") throw new UsageError("--sdk is empty");

  let result;
  try {
    result = await scaffold({
      dir,
      example: stringFlag(parsed, "example"),
      rootId: stringFlag(parsed, "name"),
      sdkSpec,
    });
  } catch (err) {
    if (err instanceof ScaffoldError) {
      console.error(`proxy-wasm-as init: ${err.message}`);
      return 1;
    }
    throw err;
  }

  if (json) {
    console.log(JSON.stringify(result, null, 2));
    return 0;
  }
  if (parsed.flags.has("quiet")) return 0;
  const where = displayPath(result.dir);
  const from = result.source === "template" ? "the starter template" : result.source;
  console.log(
    [
      `Created ${where}/ from ${from}: root id ${result.rootId}, ${result.files.length} files,` +
        ` proxy-wasm-as ${result.sdkSpec}.`,
      "",
      "Next steps:",
      `  cd ${where.includes(" ") ? JSON.stringify(where) : where}`,
      "  npm install",
      "  npm test                  build build/optimized.wasm and run test/ in the emulator",
      "  npm start                 the dev proxy on 127.0.0.1:10000 with the filter",
      "  npx proxy-wasm-as image   the OCI image, then `proxy-wasm-as push` and wasmplugin.yaml",
      "",
      "README.md has the details.",
    ].join("\n"),
  );
  return 0;
}

export const command: Command = {
  name: "init",
  summary: "create a filter project from the starter template or an example",
  help,
  run,
};
