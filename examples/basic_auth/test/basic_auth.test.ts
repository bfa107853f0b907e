import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host, StartError } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const config = {
  realm: "internal",
  users: { alice: "correct horse", bob: "p:ss wörd" },
};
const basic = (user: string, password: string) =>
  "Basic " + Buffer.from(`${user}:${password}`, "utf8").toString("base64");

function send(host: Host, headers: Record<string, string>) {
  const http = host.newHttpContext();
  const action = http.requestHeaders(
    { ":method": "GET", ":path": "/reports", ":authority": "intranet.example", ...headers },
    { endOfStream: true },
  );
  return { http, action };
}

test("a configured user gets through; the upstream sees the name, not the password", async () => {
  const host = await Host.load(wasm, { rootId: "basic_auth", pluginConfig: config });
  for (const [user, password] of [
    ["alice", "correct horse"],
    ["bob", "p:ss wörd"], // a colon and non-ASCII in the password are fine
  ]) {
    const { http, action } = send(host, { authorization: basic(user, password) });
    assert.equal(action, Action.Continue);
    assert.equal(http.sentLocalResponse, null);
    assert.equal(http.request.headers.get("x-authenticated-user"), user);
    assert.equal(http.request.headers.has("authorization"), false);
    http.responseHeaders({ ":status": "200" }, { endOfStream: true });
    http.complete();
  }
});

test("the scheme name is case-insensitive", async () => {
  const host = await Host.load(wasm, { rootId: "basic_auth", pluginConfig: config });
  const token = basic("alice", "correct horse").slice("Basic ".length);
  const { action } = send(host, { authorization: `bAsIc ${token}` });
  assert.equal(action, Action.Continue);
});

test("missing or wrong credentials get 401 with a challenge, and never reach the upstream", async () => {
  const host = await Host.load(wasm, { rootId: "basic_auth", pluginConfig: config });
  for (const authorization of [
    undefined,
    basic("alice", "wrong"),
    basic("mallory", "correct horse"),
    basic("alice", "correct horse").replace("Basic", "Bearer"),
    "Basic",
    "Basic !!!not-base64!!!",
  ]) {
    const { http, action } = send(host, authorization ? { authorization } : {});
    assert.equal(action, Action.Pause, String(authorization));
    assert.equal(http.request.headersForwarded, false);
    const reply = http.sentLocalResponse!;
    assert.equal(reply.status, 401);
    assert.equal(reply.details, "basic_auth_unauthorized");
    assert.deepEqual(reply.headers, [
      ["www-authenticate", 'Basic realm="internal", charset="UTF-8"'],
    ]);
    assert.equal(http.response.headers.get(":status"), "401");
    assert.equal(http.response.text(), "authentication required\n");
  }
  assert.equal(
    host.logs("info").filter((l) => l === "basic_auth: rejected GET /reports").length,
    6,
  );
});

test("a client cannot forge x-authenticated-user", async () => {
  const host = await Host.load(wasm, { rootId: "basic_auth", pluginConfig: config });
  const { http } = send(host, {
    authorization: basic("bob", "p:ss wörd"),
    "x-authenticated-user": "alice",
  });
  assert.deepEqual(http.request.headers.getAll("x-authenticated-user"), ["bob"]);
});

test("the realm defaults to proxy", async () => {
  const host = await Host.load(wasm, { rootId: "basic_auth", pluginConfig: { users: { a: "b" } } });
  const { http } = send(host, {});
  assert.equal(
    http.response.headers.get("www-authenticate"),
    'Basic realm="proxy", charset="UTF-8"',
  );
});

function refused(pluginConfig: unknown, line: string) {
  return assert.rejects(
    Host.load(wasm, { rootId: "basic_auth", pluginConfig: pluginConfig as object }),
    (err: unknown) => err instanceof StartError && err.logs.some((l) => l.includes(line)),
  );
}

test("bad configuration stops the plugin with a log line that says why", async () => {
  await refused("alice:secret", "basic_auth configuration is not valid JSON");
  await refused({}, '"users" must be an object of user names to passwords');
  await refused({ users: {} }, '"users" must be an object of user names to passwords');
  await refused({ users: ["alice"] }, '"users" must be an object of user names to passwords');
  await refused(
    { users: { "a:b": "c" } },
    'user "a:b" needs a name without ":" and a string password',
  );
  await refused({ users: { alice: 1234 } }, 'user "alice" needs a name without ":"');
  await refused({ realm: 'say "hi"', users: { a: "b" } }, '"realm" must be a non-empty string');
});
