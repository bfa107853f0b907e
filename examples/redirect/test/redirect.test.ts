import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host, StartError } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const config = {
  rules: [
    { path: "/pricing.html", location: "/pricing" },
    { prefix: "/blog/", location: "https://blog.example/posts/", status: 302 },
    { prefix: "/api/v1/", location: "/api/v2/", status: 308 },
  ],
};

async function get(path: string, method = "GET") {
  const host = await Host.load(wasm, { rootId: "redirect", pluginConfig: config });
  const http = host.newHttpContext();
  const action = http.requestHeaders(
    { ":method": method, ":path": path, ":authority": "www.example", ":scheme": "https" },
    { endOfStream: true },
  );
  return { http, action };
}

test("an exact path rule answers 301 (the default) with the new location", async () => {
  const { http, action } = await get("/pricing.html");
  assert.equal(action, Action.Pause);
  assert.equal(http.request.headersForwarded, false, "the upstream never sees the request");
  assert.equal(http.sentLocalResponse?.status, 301);
  assert.equal(http.sentLocalResponse?.details, "redirect");
  assert.equal(http.response.headers.get(":status"), "301");
  assert.equal(http.response.headers.get("location"), "/pricing");
  http.complete();
});

test("an exact rule matches only that path; the query string is kept", async () => {
  assert.equal((await get("/pricing.html/x")).http.sentLocalResponse, null);
  const { http } = await get("/pricing.html?plan=team&ref=mail");
  assert.equal(http.response.headers.get("location"), "/pricing?plan=team&ref=mail");
});

test("a prefix rule carries the rest of the path over to another host", async () => {
  const { http } = await get("/blog/2024/wasm-filters?utm=feed");
  assert.equal(http.sentLocalResponse?.status, 302);
  assert.equal(
    http.response.headers.get("location"),
    "https://blog.example/posts/2024/wasm-filters?utm=feed",
  );
});

test("308 keeps the method, so a POST is redirected too", async () => {
  const { http } = await get("/api/v1/orders/7", "POST");
  assert.equal(http.sentLocalResponse?.status, 308);
  assert.equal(http.response.headers.get("location"), "/api/v2/orders/7");
});

test("requests no rule matches go upstream unchanged", async () => {
  for (const path of ["/", "/blog", "/pricing", "/api/v2/orders"]) {
    const { http, action } = await get(path);
    assert.equal(action, Action.Continue, path);
    assert.equal(http.sentLocalResponse, null);
    assert.equal(http.request.headers.get(":path"), path);
  }
});

function refused(pluginConfig: unknown, line: string) {
  return assert.rejects(
    Host.load(wasm, { rootId: "redirect", pluginConfig: pluginConfig as object }),
    (err: unknown) => err instanceof StartError && err.logs.some((l) => l.includes(line)),
  );
}

test("bad configuration stops the plugin with a log line that says why", async () => {
  await refused('{"rules": [', "redirect configuration is not valid JSON");
  await refused({ rules: [] }, '"rules" must be a non-empty array');
  await refused({ rules: ["/a"] }, "rule 0: must be an object");
  await refused({ rules: [{ location: "/b" }] }, 'rule 0: needs exactly one of "path" or "prefix"');
  await refused(
    { rules: [{ path: "/a", prefix: "/a", location: "/b" }] },
    'needs exactly one of "path" or "prefix"',
  );
  await refused({ rules: [{ path: "a", location: "/b" }] }, "must start with /");
  await refused({ rules: [{ path: "/a" }] }, 'rule 0: "location" must be a URL');
  await refused(
    {
      rules: [
        { path: "/a", location: "/b" },
        { path: "/c", location: "/d", status: 200 },
      ],
    },
    'rule 1: "status" must be 301, 302, 303, 307 or 308',
  );
  await refused({ rules: [{ path: "/a", location: "/b", status: "301" }] }, '"status" must be 301');
});
