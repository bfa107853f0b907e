// Code written for @solo-io/proxy-runtime 0.1.8 and 0.1.15 and for @gcoredev/proxy-wasm-sdk-as
// 1.2.3 builds against the compat entries with only the import path setup changed (a project
// whose asconfig.json extends proxy-wasm-as/asconfig.compat.json), and behaves as it did there.
//
// - tests/compat/names/<package>.ts uses every name of the package's export list
//   (tests/compat/packages/<package>.names.txt, from `npm pack`), with the package's signatures;
//   each must compile, and its imports must cover the list exactly.
// - tests/compat/filters/<package>.ts is a filter written for the package; it runs in the host.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Host } from "proxy-wasm-as/host";
import { readNames } from "./packages/names.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const HERE = join(ROOT, "tests/compat");
const PACKAGES = ["solo-0.1.8", "solo-0.1.15", "gcore-1.2.3"];

let project: string | null = null;
after(() => {
  if (project !== null) rmSync(project, { recursive: true, force: true });
});

/** A user's project: node_modules/proxy-wasm-as and an asconfig.json extending the compat one. */
function userProject(): string {
  if (project !== null) return project;
  project = mkdtempSync(join(tmpdir(), "compat-packages-"));
  mkdirSync(join(project, "assembly"));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(ROOT, join(project, "node_modules/proxy-wasm-as"), "dir");
  writeFileSync(
    join(project, "asconfig.json"),
    JSON.stringify({
      extends: "./node_modules/proxy-wasm-as/asconfig.compat.json",
      targets: { release: { optimizeLevel: 3, shrinkLevel: 2, noAssert: true } },
    }),
  );
  return project;
}

/** asc of the SDK's AssemblyScript, and of 0.28 (G-Core's users are on 0.28). */
const ASC = {
  "0.27": [join(ROOT, "node_modules/assemblyscript/bin/asc.js")],
  "0.28": [join(ROOT, "node_modules/assemblyscript-0.28/bin/asc.js")],
};

/** Compiles `source` in the user project; the wasm path, or the compiler's complaint. */
function build(
  source: string,
  name: string,
  asc: keyof typeof ASC = "0.27",
): { wasm?: string; error?: string } {
  const dir = userProject();
  const entry = join("assembly", `${name}.ts`);
  copyFileSync(source, join(dir, entry));
  const out = join(dir, "build", `${name}.wasm`);
  try {
    execFileSync(process.execPath, [...ASC[asc], entry, "--target", "release", "--outFile", out], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 240_000,
    });
  } catch (e) {
    const err = e as { stderr?: Buffer; stdout?: Buffer; message: string };
    const text = `${err.stdout ?? ""}${err.stderr ?? ""}` || err.message;
    return {
      error: text
        .split("\n")
        .filter((l) => l.length < 400)
        .slice(-30)
        .join("\n"),
    };
  }
  return { wasm: out };
}

/** The `<import path> <name>` pairs the import statements of an AssemblyScript file name. */
function importedNames(file: string): Set<string> {
  const source = readFileSync(file, "utf8");
  const out = new Set<string>();
  for (const m of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
    for (const part of m[1].split(",")) {
      const name = part.trim().split(/\s+as\s+/)[0];
      if (name !== "") out.add(`${m[2]} ${name}`);
    }
  }
  return out;
}

for (const pkg of PACKAGES) {
  test(`${pkg}: the names file uses every name of the package's export list`, () => {
    const listed = readNames(pkg).map((n) => `${n.importPath} ${n.name}`);
    assert.ok(listed.length > 20, `${pkg}.names.txt lists only ${listed.length} names`);
    const used = importedNames(join(HERE, "names", `${pkg}.ts`));
    assert.deepEqual(
      listed.filter((n) => !used.has(n)),
      [],
      "names the package exports that the names file does not import",
    );
    assert.deepEqual(
      [...used].filter((n) => !listed.includes(n)),
      [],
      "imports of the names file that the package does not export",
    );
  });

  test(`${pkg}: every name compiles with the package's signatures`, () => {
    const { wasm, error } = build(join(HERE, "names", `${pkg}.ts`), `names-${pkg}`);
    assert.ok(wasm, `tests/compat/names/${pkg}.ts does not compile:\n${error}`);
  });
}

const filterBuilds = new Map<string, { wasm?: string; error?: string }>();

async function loadFilter(
  pkg: string,
  options: Parameters<typeof Host.load>[1],
  asc: keyof typeof ASC = "0.27",
): Promise<Host> {
  const source = join(HERE, "filters", `${pkg}.ts`);
  const name = `filter-${pkg}-${asc}`;
  if (!filterBuilds.has(name)) filterBuilds.set(name, build(source, name, asc));
  const { wasm, error } = filterBuilds.get(name)!;
  assert.ok(wasm, `${basename(source)} does not compile:\n${error}`);
  return Host.load(wasm, options);
}

function noErrors(host: Host): void {
  assert.deepEqual(host.logs("error"), []);
  assert.deepEqual(host.logs("critical"), []);
}

test("solo 0.1.8 filter: x-solo carries the configuration, /deny gets a local 403, requests are counted", async () => {
  const host = await loadFilter("solo-0.1.8", { rootId: "solo", pluginConfig: "from-config" });
  const allowed = host.newHttpContext();
  allowed.requestHeaders({ ":path": "/", ":method": "GET" }, { endOfStream: true });
  allowed.responseHeaders({ ":status": "200" });
  allowed.complete();
  assert.deepEqual(allowed.response.headers.getAll("x-solo"), ["from-config"]);

  const denied = host.newHttpContext();
  denied.requestHeaders({ ":path": "/deny", ":method": "GET" }, { endOfStream: true });
  const reply = denied.sentLocalResponse;
  assert.ok(reply, "no local reply for /deny");
  assert.equal(reply.status, 403);
  assert.equal(Buffer.from(reply.body).toString(), "denied");
  denied.complete();

  assert.equal(host.metric("solo_requests")?.value, 2);
  noErrors(host);
});

test("solo 0.1.8 filter: a root registered with a factory that takes no id works too", async () => {
  const host = await loadFilter("solo-0.1.8", {
    rootId: "solo_without_id",
    pluginConfig: "second",
  });
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/deny", ":method": "GET" }, { endOfStream: true });
  assert.equal(http.sentLocalResponse?.status, 403);
  http.complete();
  const again = host.newHttpContext();
  again.requestHeaders({ ":path": "/", ":method": "GET" }, { endOfStream: true });
  again.responseHeaders({ ":status": "200" });
  again.complete();
  assert.deepEqual(again.response.headers.getAll("x-solo"), ["second"]);
  // The stream's id reached the filter (it logs it when denying).
  assert.ok(
    host.logs("info").some((l) => /^denying context [1-9]\d*$/.test(l)),
    host.logs("info").join("\n"),
  );
  noErrors(host);
});

test("solo 0.1.15 filter: the request waits for the auth callout and carries its x-auth", async () => {
  const host = await loadFilter("solo-0.1.15", { rootId: "auth" });
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/", ":method": "GET", "x-user": "ann" }, { endOfStream: true });
  assert.equal(http.request.headersForwarded, false, "the request went on before the callout");
  assert.equal(host.callouts.length, 1);
  const call = host.callouts[0];
  assert.equal(call.cluster, "auth");
  assert.equal(call.headers.get(":path"), "/check");
  assert.equal(call.headers.get("x-user"), "ann");
  host.respondToCallout(call.token, { headers: { "x-auth": "allowed" }, body: "token-42" });
  assert.equal(http.request.headersForwarded, true, "the request did not resume");
  assert.equal(http.request.headers.get("x-auth"), "allowed");
  assert.equal(host.sharedData.get("last_auth_body")?.value.toString(), "token-42");
  http.complete();
  noErrors(host);
});

for (const asc of ["0.27", "0.28"] as const) {
  test(`G-Core 1.2.3 filter (AssemblyScript ${asc}): a wrong API key gets a local 401, the right one x-gcore`, async () => {
    const host = await loadFilter(
      "gcore-1.2.3",
      { rootId: "api_key", pluginConfig: "edge", env: { API_KEY: "s3cret" } },
      asc,
    );
    const wrong = host.newHttpContext();
    wrong.requestHeaders(
      { ":path": "/", ":method": "GET", "x-api-key": "guess" },
      { endOfStream: true },
    );
    const reply = wrong.sentLocalResponse;
    assert.ok(reply, "no local reply for a wrong key");
    assert.equal(reply.status, 401);
    assert.equal(Buffer.from(reply.body).toString(), "missing or wrong API key");
    assert.equal(reply.headers.find(([k]) => k === "www-authenticate")?.[1], "api-key");
    wrong.complete();
    assert.ok(host.logs("debug").some((l) => l.includes("rejected a request without the API key")));

    const right = host.newHttpContext();
    right.requestHeaders(
      { ":path": "/", ":method": "GET", "x-api-key": "s3cret" },
      { endOfStream: true },
    );
    assert.equal(right.sentLocalResponse, null);
    right.responseHeaders({ ":status": "200" });
    right.complete();
    assert.deepEqual(right.response.headers.getAll("x-gcore"), ["edge"]);
    noErrors(host);
  });
}
