// How the `proxy-wasm-as` CLI talks when it is asked for help, given a bad command line, or
// pointed at files that are not there: a listing with summaries, one-line errors, exit codes
// 0 (done), 1 (it failed) and 2 (the command line was wrong), and no raw ENOENT.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "../../src/cli/command.js";
import { cli, repoRoot, tempDir, type Result } from "./helpers.js";

/** Every command module under src/cli/commands, by the name it answers to. */
async function commandModules(): Promise<Command[]> {
  const dir = join(repoRoot, "src", "cli", "commands");
  const files = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"));
  const modules = await Promise.all(
    files.map(async (f) => ((await import(join(dir, f))) as { command: Command }).command),
  );
  return modules.sort((a, b) => a.name.localeCompare(b.name));
}

/** The lines a command wrote to stderr, without the final newline. */
function lines(text: string): string[] {
  return text.replace(/\n$/, "").split("\n");
}

test("--help lists every command with its one-line summary", async () => {
  const r = cli(["--help"], tempDir());
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^usage: proxy-wasm-as <command>/);
  const listed = [...r.stdout.matchAll(/^ {2}(\S+) +(\S.*)$/gm)].map((m) => [m[1], m[2]]);
  const commands = await commandModules();
  assert.ok(commands.length >= 8, "the command modules were found");
  for (const command of commands) {
    assert.ok(command.summary.trim() !== "", `${command.name} has a summary`);
    assert.ok(!command.summary.includes("\n"), `${command.name}'s summary is one line`);
  }
  // Every module is in the table (so it can be run) and shows its own summary.
  assert.deepEqual(
    listed,
    commands.map((c) => [c.name, c.summary]),
  );
  // `help` and `-h` are the same listing; `help CMD` is CMD's --help.
  assert.equal(cli(["help"], tempDir()).stdout, r.stdout);
  assert.equal(cli(["-h"], tempDir()).stdout, r.stdout);
  const runHelp = cli(["help", "run"], tempDir());
  assert.equal(runHelp.code, 0);
  assert.match(runHelp.stdout, /^usage: proxy-wasm-as run FILTER\.wasm/);
});

test("no arguments: the usage goes to stderr and the exit code is 2", () => {
  const r = cli([], tempDir());
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /^usage: proxy-wasm-as <command>/);
  assert.match(r.stderr, /^ {2}build +compile/m);
});

test("an unknown command is one line naming it, pointing at --help (exit 2)", () => {
  const cwd = tempDir();
  const r = cli(["deploy"], cwd);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "");
  assert.deepEqual(lines(r.stderr), [
    'proxy-wasm-as: unknown command "deploy"; see `proxy-wasm-as --help`',
  ]);
  const typo = cli(["biuld"], cwd);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /unknown command "biuld" \(did you mean build\?\); see/);
  const option = cli(["--verbose"], cwd);
  assert.equal(option.code, 2);
  assert.deepEqual(lines(option.stderr), [
    "proxy-wasm-as: unknown option --verbose; see `proxy-wasm-as --help`",
  ]);
});

test("a usage error is one line saying what was wrong and where the help is (exit 2)", () => {
  const cwd = tempDir();
  const cases: [string[], RegExp][] = [
    [["build", "a", "b"], /only one DIR can be given/],
    [["build", "--debug", "--target", "x"], /--debug and --target cannot be used together/],
    [["test", "--bogus"], /unknown option --bogus/],
    [["init"], /DIR is required/],
    [["image", "--tag"], /--tag needs a value/],
    [["push", "only-one-word"], /give IMAGE_LAYOUT and REF/],
    [["pull"], /give exactly one REF/],
    [["manifest"], /say which manifest: wasmplugin or envoy/],
    [["manifest", "envoy", "--wasm", "x.wasm"], /--root-id is required/],
    [["run"], /give one FILTER\.wasm or oci:\/\/REF/],
    [["run", "x.wasm", "--port", "eighty"], /--port needs a number/],
    [["run", "x.wasm", "--config", "@"], /--config @FILE needs a file name after the @/],
  ];
  for (const [args, why] of cases) {
    const r = cli(args, cwd);
    const what = args.join(" ");
    assert.equal(r.code, 2, `${what}\n${r.stderr}`);
    assert.equal(r.stdout, "", what);
    const [line, ...more] = lines(r.stderr);
    assert.deepEqual(more, [], `${what}: one line only\n${r.stderr}`);
    assert.match(line, new RegExp(`^proxy-wasm-as ${args[0]}: `), what);
    assert.match(line, why, what);
    assert.ok(line.endsWith(`; see \`proxy-wasm-as ${args[0]} --help\``), line);
  }
});

test("missing files are named, with what to do, and never as a raw ENOENT (exit 1)", () => {
  const cwd = tempDir();
  // A file that exists, so the error is about the other input.
  writeFileSync(join(cwd, "plugin.wasm"), Buffer.from("\0asm\x01\0\0\0", "binary"));
  mkdirSync(join(cwd, "conf"));
  writeFileSync(
    join(cwd, "conf", "envoy.yaml"),
    [
      "static_resources:",
      "  listeners:",
      "    - address: { socket_address: { address: 127.0.0.1, port_value: 10000 } }",
      "      filter_chains:",
      "        - filters:",
      "            - name: envoy.filters.network.http_connection_manager",
      "              typed_config:",
      '                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
      "                stat_prefix: ingress",
      "                route_config: { virtual_hosts: [{ name: all, domains: ['*'], routes: [{ match: { prefix: / }, route: { cluster: up } }] }] }",
      "                http_filters:",
      "                  - name: my_filter",
      "                    typed_config:",
      '                      "@type": type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm',
      "                      config:",
      "                        root_id: my_filter",
      "                        vm_config:",
      "                          runtime: envoy.wasm.runtime.v8",
      "                          code: { local: { filename: ../build/optimized.wasm } }",
      "                  - name: envoy.filters.http.router",
      "  clusters:",
      "    - name: up",
      "      load_assignment: { cluster_name: up, endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: 8080 } } } }] }] }",
      "",
    ].join("\n"),
  );
  const build = /build it with `npm run asbuild` \(or `proxy-wasm-as build`\)/;
  const cases: [string[], RegExp[]][] = [
    [
      ["run", "build/optimized.wasm"],
      [/^build\/optimized\.wasm does not exist; /, build],
    ],
    [
      ["run", "--envoy", "missing.yaml"],
      [/^missing\.yaml does not exist; /, /manifest envoy/],
    ],
    [
      ["run", "--envoy", "conf/envoy.yaml"],
      [/loads build\/optimized\.wasm, which does not/, build],
    ],
    [
      ["run", "plugin.wasm", "--config", "@missing.json"],
      [/--config @missing\.json: missing\.json does not exist/],
    ],
    [
      ["run", "plugin.wasm", "--vm-config", "@vm.json"],
      [/--vm-config @vm\.json: vm\.json does not exist/],
    ],
    [
      ["manifest", "wasmplugin", "--url", "oci://r.example/f:v1", "--config", "@missing.json"],
      [/--config @missing\.json: missing\.json does not exist/],
    ],
    [
      ["manifest", "envoy", "--wasm", "x.wasm", "--root-id", "r", "--config", "@c.txt"],
      [/--config @c\.txt: c\.txt does not exist/],
    ],
    [["image"], [/^build\/optimized\.wasm does not exist; /, build, /or pass --wasm FILE/]],
    [
      ["image", "--wasm", "other.wasm"],
      [/^other\.wasm does not exist; /, build],
    ],
    [
      ["image", "--wasm", "plugin.wasm", "--runtime-config", "rc.json"],
      [/^rc\.json does not exist; leave out --runtime-config/],
    ],
    [
      ["push", "build/image", "r.example/f:v1"],
      [
        /^build\/image does not exist; write the image with `proxy-wasm-as image --out build\/image`/,
      ],
    ],
    [
      ["push", "--wasm", "other.wasm", "r.example/f:v1"],
      [/^other\.wasm does not exist; /, build],
    ],
    [
      ["build"],
      [/no asconfig\.json in .*: not an AssemblyScript project \(`proxy-wasm-as init` makes one\)/],
    ],
    [
      ["test", "elsewhere"],
      [/^elsewhere does not exist \(`proxy-wasm-as init elsewhere` makes a project there\)$/],
    ],
  ];
  for (const [args, expected] of cases) {
    const r: Result = cli(args, cwd);
    const what = args.join(" ");
    assert.equal(r.code, 1, `${what}\n${r.stderr}`);
    assert.doesNotMatch(r.stderr, /ENOENT|no such file or directory/, what);
    const [line, ...more] = lines(r.stderr);
    assert.deepEqual(more, [], `${what}: one line only\n${r.stderr}`);
    const message = line.replace(new RegExp(`^proxy-wasm-as ${args[0]}: `), "");
    assert.notEqual(message, line, `${what}: says which command failed`);
    for (const re of expected) assert.match(message, re, what);
  }
});

test("an output directory that does not exist yet is made", () => {
  const cwd = tempDir();
  const r = cli(
    ["manifest", "envoy", "--wasm", "x.wasm", "--root-id", "r", "--out", "deploy/local/envoy.yaml"],
    cwd,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.ok(readdirSync(join(cwd, "deploy", "local")).includes("envoy.yaml"));
  // A file where a directory should be is said as such, not as EEXIST or ENOTDIR.
  writeFileSync(join(cwd, "blocker"), "");
  const blocked = cli(
    ["manifest", "envoy", "--wasm", "x.wasm", "--root-id", "r", "--out", "blocker/envoy.yaml"],
    cwd,
  );
  assert.equal(blocked.code, 1);
  assert.deepEqual(lines(blocked.stderr), [
    "proxy-wasm-as manifest: blocker is in the way: it exists and is not a directory",
  ]);
});

test("a directory where a file belongs, and a file where a directory does, are said as such", () => {
  const cwd = tempDir();
  mkdirSync(join(cwd, "build"));
  writeFileSync(join(cwd, "plugin.wasm"), Buffer.from("\0asm\x01\0\0\0", "binary"));
  const cases: [string[], string][] = [
    [["run", "build"], "build is a directory; give the .wasm file (e.g. build/optimized.wasm)"],
    [
      ["run", "plugin.wasm", "--config", "@build"],
      "--config @build: build is a directory, not a file",
    ],
    [["image", "--wasm", "build"], "build is a directory; the Wasm module is a file"],
    [["build", "plugin.wasm"], "plugin.wasm is a file; give the project's directory"],
  ];
  for (const [args, message] of cases) {
    const r = cli(args, cwd);
    assert.equal(r.code, 1, `${args.join(" ")}\n${r.stderr}`);
    assert.deepEqual(lines(r.stderr), [`proxy-wasm-as ${args[0]}: ${message}`]);
  }
});
