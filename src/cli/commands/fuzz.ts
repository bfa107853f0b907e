// `proxy-wasm-as fuzz`: random but valid Envoy traffic against a filter in the host emulator;
// what breaks it is shrunk to a short run and printed as a node:test case.
import { existsSync, statSync } from "node:fs";
import type { Command } from "../command.js";
import { UsageError, parseArgs, stringFlag, takeRepeated, textOrFile } from "../command.js";
import { LOG_LEVEL_NAMES, type LogLevelName } from "../../host/log_level.js";
import { fuzz, formatFuzzReport, type FuzzReport } from "../../host/index.js";

const help = `usage: proxy-wasm-as fuzz FILTER.wasm [options]

Throws random but valid Envoy traffic at the filter, run by the host emulator as Envoy runs it:
request and response headers (pseudo-headers, repeated names, non-ASCII and binary values,
empty and long ones, many of them), bodies cut into random chunks (empty ones too), trailers,
resets at any point, replies, failures and timeouts of the filter's HTTP and gRPC callouts,
ticks and queue items; for a TCP filter, data in random chunks and closes from either side.

After every run: no trap, no log line at error or critical level, every stream ended, what the
filter passed on is valid for Envoy (header names and values, :status, local reply status), and
linear memory does not keep growing after warm-up. The first failure is shrunk to a short run and
printed with its seed and a node:test case that makes the same calls (paste it into test/).
Exit code 0 when every run passed, 1 when one failed.

options:
  --root-id ID          the plugin's root_id
  --config STR          plugin configuration (@FILE reads a file)
  --vm-config STR       VM configuration (@FILE reads a file)
  --vm-id ID            vm_config.vm_id
  --type http|tcp       HTTP streams or TCP connections (default: from the module's exports:
                        tcp when it exports TCP callbacks and no HTTP ones, else http)
  --runs N              how many runs (default 1000)
  --seed N              the generator's seed, to repeat a fuzz session (default: random, printed)
  --allow-errors        error and critical log lines are not failures
  --allow-error TEXT    a log line containing TEXT is not a failure (repeatable)
  --header NAME         use this header name often (repeatable; e.g. the one your filter reads)
  --cluster NAME        the only upstream clusters callouts may name (repeatable; default: any)
  --log-level LEVEL     the filter's log level: trace (default), debug, info, warn, error, critical
  --buffer-limit BYTES  Envoy's buffer limit (default 65536: small, so 413 and flow control happen)
  --json                print the report as JSON (bytes as base64)`;

function integer(parsed: ReturnType<typeof parseArgs>, name: string, min: number) {
  const text = stringFlag(parsed, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n) || n < min)
    throw new UsageError(`--${name} must be an integer of at least ${min}, not "${text}"`);
  return n;
}

/** JSON with bytes as base64 strings. */
function toJson(report: FuzzReport): string {
  return JSON.stringify(
    report,
    (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString("base64") : v),
    2,
  );
}

async function run(args: string[]): Promise<number> {
  const { rest, found } = takeRepeated(args, ["allow-error", "header", "cluster"]);
  const parsed = parseArgs(
    rest,
    [
      "root-id",
      "config",
      "vm-config",
      "vm-id",
      "type",
      "runs",
      "seed",
      "log-level",
      "buffer-limit",
    ],
    ["allow-errors", "json"],
  );
  if (parsed.positionals.length === 0) throw new UsageError("FILTER.wasm is missing");
  if (parsed.positionals.length > 1)
    throw new UsageError(`one FILTER.wasm only, got ${parsed.positionals.join(" ")}`);
  const wasm = parsed.positionals[0];
  if (!existsSync(wasm))
    throw new Error(
      `${wasm} does not exist; build it with \`npm run asbuild\` (or \`proxy-wasm-as build\`)`,
    );
  if (statSync(wasm).isDirectory()) throw new Error(`${wasm} is a directory, not a .wasm file`);
  const type = stringFlag(parsed, "type");
  if (type !== undefined && type !== "http" && type !== "tcp")
    throw new UsageError(`--type must be http or tcp, not "${type}"`);
  const runs = integer(parsed, "runs", 1);
  const seed = integer(parsed, "seed", -(2 ** 31));
  if (seed !== undefined && seed >= 2 ** 31)
    throw new UsageError(`--seed must be below 2147483648, not ${seed}`);
  const bufferLimit = integer(parsed, "buffer-limit", 1);
  const logLevel = stringFlag(parsed, "log-level");
  if (logLevel !== undefined && !LOG_LEVEL_NAMES.includes(logLevel as LogLevelName))
    throw new UsageError(`--log-level must be one of ${LOG_LEVEL_NAMES.join(", ")}`);
  const allowErrors = parsed.flags.has("allow-errors") ? true : found["allow-error"];

  const report = await fuzz(wasm, {
    rootId: stringFlag(parsed, "root-id"),
    pluginConfig: await textOrFile("config", stringFlag(parsed, "config")),
    vmConfig: await textOrFile("vm-config", stringFlag(parsed, "vm-config")),
    vmId: stringFlag(parsed, "vm-id"),
    type: type as "http" | "tcp" | undefined,
    runs,
    seed,
    allowErrors,
    headerNames: found.header,
    host: {
      ...(found.cluster.length ? { clusters: found.cluster } : {}),
      ...(logLevel !== undefined ? { logLevel: logLevel as LogLevelName } : {}),
      ...(bufferLimit !== undefined ? { bufferLimit } : {}),
    },
  });
  if (parsed.flags.has("json")) console.log(toJson(report));
  else process.stdout.write(formatFuzzReport(report, wasm));
  return report.ok ? 0 : 1;
}

export const command: Command = {
  name: "fuzz",
  summary: "throw random but valid Envoy traffic at a filter; shrink a failure to a test",
  help,
  run,
};
