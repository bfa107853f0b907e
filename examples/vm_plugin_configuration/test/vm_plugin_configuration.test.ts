import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, StartError, type RootContext } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const rootId = "vm_plugin_configuration";

function respond(plugin: Host | RootContext) {
  const http = plugin.newHttpContext();
  http.requestHeaders({ ":method": "GET", ":path": "/" }, { endOfStream: true });
  http.responseHeaders({ ":status": "200", "x-team": "set by upstream" }, { endOfStream: true });
  http.complete();
  return Object.fromEntries(http.response.headers.entries());
}

test("headers from both configurations are added to every response", async () => {
  const host = await Host.load(wasm, {
    rootId,
    vmConfig: { environment: "staging" },
    pluginConfig: { response_headers: { "x-team": "payments", "X-Owner": "alice" } },
  });
  assert.deepEqual(respond(host), {
    ":status": "200",
    "x-team": "payments",
    "x-environment": "staging",
    "x-owner": "alice",
  });
  assert.deepEqual(host.logs("info"), [
    "VM configuration: environment staging",
    "plugin configuration: 2 response header(s)",
  ]);
});

test("each VM has its own VM configuration; without one there is no x-environment", async () => {
  const host = await Host.load(wasm, {
    rootId,
    vmId: "edge",
    vmConfig: { environment: "production" },
    pluginConfig: { response_headers: {} },
  });
  const canary = await host.addVm(wasm, {
    rootId,
    vmId: "canary",
    vmConfig: { environment: "canary" },
    pluginConfig: { response_headers: { "x-canary": "1" } },
  });
  const bare = await host.addVm(wasm, { rootId, pluginConfig: { response_headers: {} } });
  assert.equal(respond(host)["x-environment"], "production");
  assert.equal(respond(host)["x-canary"], undefined);
  assert.equal(respond(canary)["x-environment"], "canary");
  assert.equal(respond(canary)["x-canary"], "1");
  assert.equal(respond(bare)["x-environment"], undefined);
});

const fails = (options: object, message: RegExp, line: string) =>
  assert.rejects(
    Host.load(wasm, { rootId, ...options }),
    (err: unknown) =>
      err instanceof StartError &&
      message.test(err.message) &&
      err.logs.some((l) => l.includes(line)),
  );

test("a bad VM configuration fails the VM start; a bad plugin configuration fails the plugin", async () => {
  const plugin = { response_headers: {} };
  await fails(
    { vmConfig: "environment=staging", pluginConfig: plugin },
    /proxy_on_vm_start returned false/,
    "VM configuration is not valid JSON",
  );
  await fails(
    { vmConfig: { environment: 7 }, pluginConfig: plugin },
    /proxy_on_vm_start returned false/,
    '"environment" must be a non-empty string',
  );
  await fails(
    { vmConfig: { environment: "staging" }, pluginConfig: "" },
    /proxy_on_configure returned false/,
    "plugin configuration is not valid JSON",
  );
  await fails(
    { pluginConfig: { response_headers: ["x-team"] } },
    /proxy_on_configure returned false/,
    '"response_headers" must be an object',
  );
  await fails(
    { pluginConfig: { response_headers: { ":status": "500" } } },
    /proxy_on_configure returned false/,
    'header ":status" needs a regular name and a string value',
  );
  await fails(
    { pluginConfig: { response_headers: { "x-n": 1 } } },
    /proxy_on_configure returned false/,
    'header "x-n" needs a regular name',
  );
});
