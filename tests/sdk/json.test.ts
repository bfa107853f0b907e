// JSON configuration with parseJsonObject: a valid object configures the filter; invalid JSON and
// non-objects make onConfigure false with an error log instead of a trap.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, StartError } from "proxy-wasm-as/host";
import { filterWasm, mark, reports } from "./helpers.ts";

const wasm = filterWasm("json");

function responseHeaders(host: Host): [string, string][] {
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" }, { endOfStream: true });
  http.responseHeaders({ ":status": "200" }, { endOfStream: true });
  return http.response.headers.entries().filter(([k]) => k !== ":status");
}

test("a valid object: strings, integers, booleans, arrays and nested objects are read", async () => {
  const host = await Host.load(wasm, {
    rootId: "json",
    pluginConfig: {
      header: "x-team",
      value: "blue",
      count: 2,
      enabled: false,
      tags: ["a", "b", "c"],
      limits: { rps: 250 },
    },
  });
  const r = reports(host);
  assert.equal(r["syntax"], "ok");
  assert.equal(r["enabled"], "false");
  assert.equal(r["tags"], "3");
  assert.equal(r["limits.rps"], "250");
  assert.deepEqual(responseHeaders(host), [
    ["x-team", "blue"],
    ["x-team", "blue"],
  ]);
  assert.deepEqual(host.logs("error"), []);
});

test("absent keys keep their defaults", async () => {
  const host = await Host.load(wasm, { rootId: "json", pluginConfig: '{"value": "only"}' });
  const r = reports(host);
  assert.equal(r["enabled"], "absent");
  assert.equal(r["tags"], "absent");
  assert.equal(r["limits.rps"], "absent");
  assert.deepEqual(responseHeaders(host), [["x-configured", "only"]]);
});

test("invalid JSON: onConfigure false, an error line saying where, no trap", async () => {
  const error = await Host.load(wasm, { rootId: "json", pluginConfig: '{"header": "x", }' }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof StartError);
  assert.match(error.message, /proxy_on_configure returned false/);
  assert.ok(
    error.logs.some(
      (l) =>
        l.includes("[error]") &&
        l.endsWith("configuration is not valid JSON: expected a quoted key at offset 16"),
    ),
    error.logs.join("\n"),
  );
  assert.ok(error.logs.some((l) => l.endsWith("rejected=expected a quoted key at offset 16")));
  assert.ok(error.logs.some((l) => l.endsWith("syntax=bad: expected a quoted key at offset 16")));
  assert.ok(!error.logs.some((l) => l.includes("[critical]")), "no trap");
});

test("valid JSON that is not an object is rejected too", async () => {
  for (const config of ["[1, 2]", '"text"', "42"]) {
    const error = await Host.load(wasm, { rootId: "json", pluginConfig: config }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(error instanceof StartError, config);
    assert.ok(
      error.logs.some(
        (l) => l.includes("[error]") && l.endsWith("configuration must be a JSON object"),
      ),
    );
    assert.ok(error.logs.some((l) => l.endsWith("rejected=expected a JSON object")));
  }
});

test("the `what` argument names the VM configuration in the message", async () => {
  const error = await Host.load(wasm, { rootId: "json", vmConfig: "{oops" }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof StartError);
  assert.match(error.message, /proxy_on_vm_start returned false/);
  assert.ok(
    error.logs.some((l) =>
      l.includes("vm configuration is not valid JSON: expected a quoted key at offset 1"),
    ),
  );
});

test("tryParseJsonObject: client input is parsed without error lines", async () => {
  const host = await Host.load(wasm, { rootId: "json" });
  const cases: [string, string][] = [
    ['{"name": "ada"}', "name ada"],
    ["{}", "name absent"],
    ['{"name": ', "bad: unexpected end at offset 9"],
    ["[1]", "bad: expected a JSON object"],
  ];
  for (const [body, expected] of cases) {
    const from = mark(host);
    const http = host.newHttpContext();
    http.requestHeaders({ ":path": "/" });
    http.requestBody(body, { endOfStream: true });
    assert.equal(reports(host, from)["client"], expected, body);
  }
  assert.deepEqual(host.logs("error"), []);
});
