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
    logLevel: "critical",
  });
  const memory = () => (host.vm.exports.memory as WebAssembly.Memory).buffer.byteLength;
  const streams = (n: number) => {
    for (let i = 0; i < n; i++) {
      const http = host.newHttpContext();
      http.requestHeaders({ ":path": `/p${i}`, "x-case": testCase, "x-tag": `t${i}`, "x-a": "v" });
      if (host.callouts.length) host.respondToCallout(host.callouts[0], { body: `reply ${i}` });
      if (host.grpcCalls.length) host.respondToGrpcCall(host.grpcCalls[0], `reply ${i}`);
      if (body) http.requestBody(`body ${i} `.repeat(20), { endOfStream: true });
      http.responseHeaders({ ":status": "200" });
      http.complete();
    }
  };
  streams(100);
  const warm = memory();
  streams(3000);
  assert.equal(host.vm.failed, false);
  return { warm, after: memory() };
}

for (const [name, testCase, body] of [
  ["headers", "read", false],
  ["body", "read", true],
  ["callouts", "call", false],
  ["grpc", "unary", false],
  ["grpc", "cancel-unary", false],
  ["grpc", "close-unary", false],
] as const) {
  test(`3000 streams through the ${name} filter (${testCase}) leave memory as it was`, async () => {
    const { warm, after } = await memoryAfter(name, testCase, body);
    assert.equal(after, warm);
  });
}
