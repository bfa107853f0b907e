import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, GrpcStatus, Host, StartError } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const config = { cluster: "health", service: "shop.Catalog", timeout_ms: 250 };
const load = (pluginConfig: object = config) =>
  Host.load(wasm, { rootId: "grpc_call", pluginConfig, clusters: ["health", "backend"] });

/** HealthCheckResponse{status}: field 1 as a varint. */
const healthResponse = (status: number) => Uint8Array.from([0x08, status]);
const SERVING = 1;
const NOT_SERVING = 2;

function start(host: Host) {
  const http = host.newHttpContext();
  const action = http.requestHeaders(
    { ":method": "GET", ":path": "/catalog", ":authority": "shop.example" },
    { endOfStream: true },
  );
  return { http, action };
}

test("the request waits for the health check; SERVING lets it through", async () => {
  const host = await load();
  const { http, action } = start(host);
  assert.equal(action, Action.Pause);
  assert.equal(http.request.headersForwarded, false);

  const [call] = host.grpcCalls;
  assert.equal(call.kind, "call");
  assert.equal(call.cluster, "health");
  assert.equal(call.service, "grpc.health.v1.Health");
  assert.equal(call.method, "Check");
  assert.equal(call.timeoutMs, 250);
  // HealthCheckRequest{service: "shop.Catalog"}: tag 0x0a, length 12, the name.
  assert.deepEqual(
    call.message,
    Buffer.concat([Buffer.from([0x0a, 12]), Buffer.from("shop.Catalog")]),
  );

  host.respondToGrpcCall(call, healthResponse(SERVING));
  assert.equal(http.request.headersForwarded, true);
  assert.equal(http.sentLocalResponse, null);
  assert.deepEqual(host.grpcCalls, []);
  http.responseHeaders({ ":status": "200" }, { endOfStream: true });
  http.complete();
});

test("any other serving status gets 503 from the proxy", async () => {
  const host = await load();
  for (const [status, details] of [
    [NOT_SERVING, "backend_not_serving"],
    [0, "backend_unknown"],
    [3, "backend_service_unknown"],
  ] as const) {
    const { http } = start(host);
    host.respondToGrpcCall(host.grpcCalls[0], healthResponse(status));
    assert.equal(http.request.headersForwarded, false, details);
    assert.equal(http.sentLocalResponse?.status, 503);
    assert.equal(http.sentLocalResponse?.details, details);
    assert.equal(http.response.headers.get("retry-after"), "5");
    assert.equal(http.response.text(), "service unavailable\n");
  }
  assert.deepEqual(host.logs("warn"), [
    "grpc_call: backend is NOT_SERVING; answering 503",
    "grpc_call: backend is UNKNOWN; answering 503",
    "grpc_call: backend is SERVICE_UNKNOWN; answering 503",
  ]);
});

test("a failed call (error status, timeout) gets 503 and the status is logged", async () => {
  const host = await load();
  const { http } = start(host);
  host.closeGrpcCall(
    host.grpcCalls[0],
    GrpcStatus.DeadlineExceeded,
    "deadline exceeded after 250ms",
  );
  assert.equal(http.sentLocalResponse?.status, 503);
  assert.equal(http.sentLocalResponse?.details, "health_check_failed");
  assert.deepEqual(host.logs("warn"), [
    "grpc_call: health check failed with gRPC status 4: deadline exceeded after 250ms",
  ]);
});

test("concurrent requests each get the answer to their own call", async () => {
  const host = await load();
  const a = start(host).http;
  const b = start(host).http;
  const [callA, callB] = host.grpcCalls;
  assert.notEqual(callA.token, callB.token);
  host.respondToGrpcCall(callB, healthResponse(NOT_SERVING));
  host.respondToGrpcCall(callA, healthResponse(SERVING));
  assert.equal(a.request.headersForwarded, true);
  assert.equal(b.sentLocalResponse?.status, 503);
});

test("a malformed reply is not SERVING", async () => {
  const host = await load();
  const { http } = start(host);
  host.respondToGrpcCall(host.grpcCalls[0], Uint8Array.from([0x08, 0x81])); // truncated varint
  assert.equal(http.sentLocalResponse?.status, 503);
});

test("with no service the whole server is checked (an empty request message)", async () => {
  const host = await load({ cluster: "health" });
  start(host);
  assert.equal(host.grpcCalls[0].message?.length, 0);
  assert.equal(host.grpcCalls[0].timeoutMs, 500);
});

test("a cluster the proxy does not know fails fast with 503", async () => {
  const host = await load({ cluster: "nowhere" });
  const { http, action } = start(host);
  assert.equal(action, Action.Pause);
  assert.equal(http.sentLocalResponse?.details, "health_check_not_sent");
  assert.match(host.logs("error")[0], /^grpc_call: cannot call cluster nowhere \(result \d+\)$/);
});

function refused(pluginConfig: unknown, line: string) {
  return assert.rejects(
    Host.load(wasm, { rootId: "grpc_call", pluginConfig: pluginConfig as object }),
    (err: unknown) => err instanceof StartError && err.logs.some((l) => l.includes(line)),
  );
}

test("bad configuration stops the plugin with a log line that says why", async () => {
  await refused("health", "grpc_call configuration is not valid JSON");
  await refused({}, '"cluster" must name the cluster');
  await refused({ cluster: "health", service: 1 }, '"service" must be a string');
  await refused(
    { cluster: "health", timeout_ms: 0 },
    '"timeout_ms" must be an integer from 1 to 60000',
  );
});
