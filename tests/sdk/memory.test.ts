// Many streams through the wrappers (headers, bodies, callouts, gRPC) do not grow the module's
// memory: what the SDK allocates per stream is freed when the stream ends.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host } from "proxy-wasm-as/host";
import { filterWasm } from "./helpers.ts";

async function memoryAfter(name: string, testCase: string, body: boolean) {
  const host = await Host.load(filterWasm(name), {
    rootId: name,
    clusters: ["auth", "grpc"],
    pluginConfig: name === "json" ? { header: "x-h", value: "v", count: 3 } : "",
    logLevel: "critical",
  });
  const memory = () => (host.vm.exports.memory as WebAssembly.Memory).buffer.byteLength;
  const streams = (n: number) => {
    for (let i = 0; i < n; i++) {
      if (name === "tcp") {
        const tcp = host.newTcpContext();
        tcp.downstreamData(`line ${i}\n`);
        tcp.upstreamData(`reply ${i}`, { endOfStream: true });
        tcp.closeDownstream();
        continue;
      }
      const http = host.newHttpContext();
      const headers = { ":path": `/p${i}`, "x-case": testCase, "x-tag": `t${i}`, "x-a": "v" };
      if (testCase === "call-then-delete") {
        // The stream is gone before its callout reply arrives.
        http.requestHeaders({ ...headers, "x-case": "call" });
        http.complete();
        host.respondToCallout(host.callouts[0], { body: `late ${i}` });
        continue;
      }
      http.requestHeaders({ ...headers, "x-op": testCase, "x-key": `k${i % 10}` });
      if (host.callouts.length) host.respondToCallout(host.callouts[0], { body: `reply ${i}` });
      if (body) http.requestBody(`body ${i} `.repeat(20), { endOfStream: true });
      for (const call of host.grpcCalls) {
        if (call.kind === "call") host.respondToGrpcCall(call, `reply ${i}`);
        else {
          host.grpcStreamInitialMetadata(call, { "x-init": "1" });
          host.grpcStreamMessage(call, `message ${i}`);
          host.closeGrpcCall(call, 0);
        }
      }
      if (http.state === "active") http.responseHeaders({ ":status": "200" });
      http.complete();
    }
  };
  // Warm-up spans several collections (one per 128 KiB allocated), so the heap has found its
  // working size before it is measured.
  streams(1000);
  const warm = memory();
  streams(3000);
  const middle = memory();
  streams(3000);
  assert.equal(host.vm.failed, false);
  return { warm, middle, after: memory() };
}

for (const [name, testCase, body] of [
  ["headers", "read", false],
  ["body", "read", true],
  ["callouts", "call", false],
  ["callouts", "call-then-delete", false],
  ["grpc", "unary", false],
  ["grpc", "cancel-unary", false],
  ["grpc", "close-unary", false],
  ["grpc", "stream", true],
  ["properties", "attributes", false],
  ["shared", "cas-flow", false],
  ["metrics", "count", false],
  ["stream", "local", false],
  ["json", "", false],
  ["tcp", "", false],
] as const) {
  test(`6000 streams through the ${name} filter (${testCase}): memory stops growing`, async () => {
    const { warm, middle, after } = await memoryAfter(name, testCase, body);
    // A heap may take one step late (a long-lived block placed high), then stays put: so
    // either half of the run may grow by one page at most, but not both.
    assert.ok(
      (middle === warm || after === middle) && after - warm <= 65536,
      `memory ${warm} → ${middle} → ${after}`,
    );
  });
}
