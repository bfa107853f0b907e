import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host, StartError, type LoadOptions } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
// The virtual clock starts here and moves only with host.tick(ms).
const START = Date.UTC(2026, 0, 1);

const load = (pluginConfig: object, options: LoadOptions = {}) =>
  Host.load(wasm, { rootId: "rate_limit", pluginConfig, vmId: "edge", time: START, ...options });

function send(host: Host, headers: Record<string, string> = {}) {
  const http = host.newHttpContext();
  const action = http.requestHeaders(
    { ":method": "GET", ":path": "/search", ":authority": "api.example", ...headers },
    { endOfStream: true },
  );
  if (action === Action.Continue) http.responseHeaders({ ":status": "200" }, { endOfStream: true });
  http.complete();
  return http;
}
const status = (host: Host, headers?: Record<string, string>) =>
  send(host, headers).response.headers.get(":status");

test("a burst up to the capacity passes, then 429 with Retry-After", async () => {
  const host = await load({ capacity: 3, refill_per_second: 1 });
  assert.deepEqual(
    [1, 2, 3].map(() => status(host)),
    ["200", "200", "200"],
  );
  const refused = send(host);
  assert.equal(refused.request.headersForwarded, false, "a refused request never goes upstream");
  assert.equal(refused.sentLocalResponse?.status, 429);
  assert.equal(refused.sentLocalResponse?.details, "rate_limited");
  assert.equal(refused.response.headers.get("retry-after"), "1");
  assert.equal(refused.response.text(), "too many requests\n");
  assert.equal(host.metric("rate_limit_rejected")?.value, 1);
});

test("tokens flow back at the configured rate, never above the capacity", async () => {
  const host = await load({ capacity: 2, refill_per_second: 4 });
  assert.deepEqual(
    [1, 2, 3].map(() => status(host)),
    ["200", "200", "429"],
  );
  host.tick(260); // one token back (and a bit)
  assert.deepEqual(
    [1, 2].map(() => status(host)),
    ["200", "429"],
  );
  host.tick(60_000); // a long pause refills only up to the capacity
  assert.deepEqual(
    [1, 2, 3].map(() => status(host)),
    ["200", "200", "429"],
  );
});

test("a slow refill accumulates fractions of a token; Retry-After rounds up", async () => {
  const host = await load({ capacity: 1, refill_per_second: 1 });
  assert.equal(status(host), "200");
  host.tick(400);
  assert.equal(send(host).response.headers.get("retry-after"), "1");
  host.tick(610);
  assert.equal(status(host), "200");
});

test("with key_header each client has its own bucket", async () => {
  const host = await load({ capacity: 1, refill_per_second: 1, key_header: "X-Api-Key" });
  assert.equal(status(host, { "x-api-key": "alice" }), "200");
  assert.equal(status(host, { "x-api-key": "alice" }), "429");
  assert.equal(status(host, { "x-api-key": "bob" }), "200");
  assert.deepEqual(host.sharedData.keys().sort(), ["rate_limit:alice", "rate_limit:bob"]);
});

test("every worker VM with the same vm_id draws from one bucket", async () => {
  const config = { capacity: 2, refill_per_second: 1 };
  const host = await load(config);
  const worker2 = await host.addVm(wasm, {
    vmId: "edge",
    rootId: "rate_limit",
    pluginConfig: config,
  });
  const other = (p: typeof worker2) => {
    const http = p.newHttpContext();
    http.requestHeaders({ ":path": "/" }, { endOfStream: true });
    return http.sentLocalResponse?.status ?? 200;
  };
  assert.equal(status(host), "200");
  assert.equal(other(worker2), 200);
  assert.equal(status(host), "429");
  assert.equal(other(worker2), 429);
  assert.equal(host.metric("rate_limit_rejected")?.value, 2);
});

test("a concurrent update between read and write is detected by CAS and retried", async () => {
  let interfere: (() => void) | null = null;
  const host = await load(
    { capacity: 5, refill_per_second: 1 },
    {
      // Runs while the filter is between getSharedData and setSharedData, like another worker.
      onLog: (entry) => {
        if (interfere && entry.message.startsWith("rate_limit: rate_limit holds")) {
          const f = interfere;
          interfere = null;
          f();
        }
      },
    },
  );
  assert.equal(status(host), "200");
  interfere = () => {
    const now = BigInt(host.clock.now()) * 1_000_000n;
    host.sharedData.set("rate_limit", `0 ${now}`); // another worker took every token
  };
  assert.equal(status(host), "429", "the retry saw the other worker's write");
  assert.deepEqual(host.logs("debug"), [
    "rate_limit: rate_limit holds 5 tokens",
    "rate_limit: rate_limit holds 4 tokens",
    "rate_limit: rate_limit changed concurrently, retrying",
    "rate_limit: rate_limit holds 0 tokens",
  ]);
});

function refused(pluginConfig: unknown, line: string) {
  return assert.rejects(
    Host.load(wasm, { rootId: "rate_limit", pluginConfig: pluginConfig as object }),
    (err: unknown) => err instanceof StartError && err.logs.some((l) => l.includes(line)),
  );
}

test("bad configuration stops the plugin with a log line that says why", async () => {
  await refused("capacity: 10", "rate_limit configuration is not valid JSON");
  await refused({ refill_per_second: 1 }, '"capacity" must be an integer from 1 to 1000000');
  await refused({ capacity: 0, refill_per_second: 1 }, '"capacity" must be an integer');
  await refused({ capacity: 10, refill_per_second: 0.5 }, '"refill_per_second" must be an integer');
  await refused(
    { capacity: 10, refill_per_second: 1, key_header: 1 },
    '"key_header" must be a header name',
  );
});
