import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host, StartError } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const config = {
  allowed_origins: ["https://app.example", "https://admin.example"],
  allowed_methods: ["GET", "POST", "delete"],
  allowed_headers: ["Content-Type", "authorization"],
  expose_headers: ["x-request-id"],
  max_age: 600,
  allow_credentials: true,
};

const load = (pluginConfig: object = config) => Host.load(wasm, { rootId: "cors", pluginConfig });

function preflight(host: Host, origin: string, method: string, headers?: string) {
  const http = host.newHttpContext();
  const action = http.requestHeaders(
    {
      ":method": "OPTIONS",
      ":path": "/api/orders",
      ":authority": "api.example",
      origin,
      "access-control-request-method": method,
      ...(headers ? { "access-control-request-headers": headers } : {}),
    },
    { endOfStream: true },
  );
  return { http, action };
}

test("an allowed preflight is answered by the proxy with 204 and the CORS headers", async () => {
  const host = await load();
  const { http, action } = preflight(
    host,
    "https://app.example",
    "DELETE",
    "content-type, Authorization",
  );
  assert.equal(action, Action.Pause);
  assert.equal(http.request.headersForwarded, false, "the preflight never reaches the upstream");
  const reply = http.sentLocalResponse!;
  assert.equal(reply.status, 204);
  assert.equal(reply.details, "cors_preflight");
  assert.deepEqual(reply.headers, [
    ["access-control-allow-origin", "https://app.example"],
    ["access-control-allow-methods", "GET, POST, DELETE"],
    ["access-control-max-age", "600"],
    ["vary", "Origin"],
    ["access-control-allow-headers", "content-type, authorization"],
    ["access-control-allow-credentials", "true"],
  ]);
  // What the client receives: the local reply, unchanged by the filter's response callback.
  assert.equal(http.response.headers.get(":status"), "204");
  assert.deepEqual(http.response.headers.getAll("access-control-allow-origin"), [
    "https://app.example",
  ]);
  http.complete();
});

test("a preflight from an unknown origin, or for a method or header not allowed, gets 403", async () => {
  const host = await load();
  for (const [origin, method, headers] of [
    ["https://evil.example", "GET", undefined],
    ["https://app.example", "PUT", undefined],
    ["https://app.example", "POST", "content-type, x-secret"],
    ["https://APP.example", "GET", undefined], // origins compare exactly
  ] as const) {
    const { http, action } = preflight(host, origin, method, headers);
    assert.equal(action, Action.Pause);
    assert.equal(http.sentLocalResponse?.status, 403, `${origin} ${method} ${headers}`);
    assert.equal(http.response.headers.has("access-control-allow-origin"), false);
  }
});

test("an actual request from an allowed origin gets the CORS headers on its response", async () => {
  const host = await load();
  const http = host.newHttpContext();
  const headers = { ":method": "POST", ":path": "/api/orders", origin: "https://admin.example" };
  assert.equal(http.requestHeaders(headers), Action.Continue);
  http.requestBody('{"item": 1}', { endOfStream: true });
  assert.equal(http.request.text(), '{"item": 1}');
  http.responseHeaders({ ":status": "201", vary: "Accept-Encoding", "x-request-id": "r-1" });
  http.responseBody("{}", { endOfStream: true });
  const res = http.response.headers;
  assert.equal(res.get("access-control-allow-origin"), "https://admin.example");
  assert.equal(res.get("access-control-allow-credentials"), "true");
  assert.equal(res.get("access-control-expose-headers"), "x-request-id");
  assert.deepEqual(res.getAll("vary"), ["Accept-Encoding", "Origin"]);
});

test("requests without Origin, or from other origins, pass untouched", async () => {
  const host = await load();
  for (const extra of [{}, { origin: "https://evil.example" }] as Record<string, string>[]) {
    const http = host.newHttpContext();
    assert.equal(
      http.requestHeaders({ ":method": "GET", ":path": "/", ...extra }, { endOfStream: true }),
      Action.Continue,
    );
    http.responseHeaders({ ":status": "200" }, { endOfStream: true });
    assert.equal(http.sentLocalResponse, null);
    assert.deepEqual(http.response.headers.entries(), [[":status", "200"]]);
  }
  // A plain OPTIONS (no Access-Control-Request-Method) is not a preflight: it goes upstream.
  const http = host.newHttpContext();
  http.requestHeaders(
    { ":method": "OPTIONS", ":path": "*", origin: "https://app.example" },
    { endOfStream: true },
  );
  assert.equal(http.request.headersForwarded, true);
});

test('"*" allows every origin and answers with a wildcard', async () => {
  const host = await load({ allowed_origins: ["*"] });
  const { http } = preflight(host, "https://anyone.example", "GET");
  assert.equal(http.sentLocalResponse?.status, 204);
  assert.equal(http.response.headers.get("access-control-allow-origin"), "*");
  assert.equal(http.response.headers.get("access-control-allow-methods"), "GET, HEAD, POST");
  const get = host.newHttpContext();
  get.requestHeaders({ ":method": "GET", ":path": "/", origin: "https://x.example" });
  get.responseHeaders({ ":status": "200" });
  assert.equal(get.response.headers.get("access-control-allow-origin"), "*");
  assert.equal(get.response.headers.has("vary"), false);
});

function refused(pluginConfig: unknown, line: string) {
  return assert.rejects(
    Host.load(wasm, { rootId: "cors", pluginConfig: pluginConfig as object }),
    (err: unknown) => err instanceof StartError && err.logs.some((l) => l.includes(line)),
  );
}

test("bad configuration stops the plugin with a log line that says why", async () => {
  await refused("allowed_origins=*", "cors configuration is not valid JSON");
  await refused({}, '"allowed_origins" must list at least one origin');
  await refused({ allowed_origins: "https://app.example" }, '"allowed_origins" must be an array');
  await refused(
    { allowed_origins: ["*"], allowed_methods: [1] },
    '"allowed_methods" must be an array',
  );
  await refused({ allowed_origins: ["*"], max_age: "1h" }, '"max_age" must be a number of seconds');
  await refused({ allowed_origins: ["*"], max_age: -5 }, '"max_age" must be a number of seconds');
  await refused(
    { allowed_origins: ["*"], allow_credentials: "yes" },
    '"allow_credentials" must be true or false',
  );
  await refused(
    { allowed_origins: ["*"], allow_credentials: true },
    'cannot be used with the origin "*"',
  );
});
