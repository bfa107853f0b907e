// grpc_call: a unary gRPC callout that decides whether a request may go upstream.
//
// Before a request is forwarded, the filter asks a gRPC health service (the standard
// grpc.health.v1.Health/Check) whether the configured service is SERVING. The request waits,
// paused, for the answer: SERVING lets it continue; any other answer, a gRPC error or a timeout
// gets a 503 from the proxy, so clients fail fast instead of waiting on a sick backend.
//
// Configuration (JSON):
//   {"cluster": "health", "service": "shop.Catalog", "timeout_ms": 500}
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  getCallStatus,
  grpcMessage,
  log,
  makeHeaders,
  parseJsonObject,
  registerRootContext,
} from "proxy-wasm-as";

// grpc.health.v1.HealthCheckResponse.ServingStatus
const SERVING: u64 = 1;
const STATUS_NAMES = ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"];

class GrpcCallRoot extends RootContext {
  cluster: string = "";
  request: ArrayBuffer = new ArrayBuffer(0);
  timeout: u32 = 500;

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
    const config = parseJsonObject(this.getConfiguration(), "grpc_call configuration");
    if (config === null) return false;
    const cluster = config.getString("cluster");
    if (cluster === null || cluster.valueOf() == "") {
      log(
        LogLevel.Error,
        'grpc_call configuration: "cluster" must name the cluster of the health service',
      );
      return false;
    }
    this.cluster = cluster.valueOf();
    let service = "";
    if (config.has("service")) {
      const value = config.getString("service");
      if (value === null) {
        log(
          LogLevel.Error,
          'grpc_call configuration: "service" must be a string ("" means the whole server)',
        );
        return false;
      }
      service = value.valueOf();
    }
    if (config.has("timeout_ms")) {
      const value = config.getInteger("timeout_ms");
      if (value === null || value.valueOf() < 1 || value.valueOf() > 60000) {
        log(
          LogLevel.Error,
          'grpc_call configuration: "timeout_ms" must be an integer from 1 to 60000',
        );
        return false;
      }
      this.timeout = <u32>value.valueOf();
    }
    // The request message is the same every time: build it once.
    this.request = healthCheckRequest(service);
    return true;
  }

  createContext(contextId: u32): Context {
    return new CheckBackend(contextId, this);
  }
}

// Protocol Buffers encoding of the two small messages, by hand (no protobuf library needed):
//   message HealthCheckRequest  { string service = 1; }
//   message HealthCheckResponse { ServingStatus status = 1; }

/** HealthCheckRequest{service}: field 1, wire type 2 (length-delimited). */
function healthCheckRequest(service: string): ArrayBuffer {
  const name = Uint8Array.wrap(String.UTF8.encode(service));
  if (name.length == 0) return new ArrayBuffer(0); // every field at its default: empty message
  const out = new Array<u8>();
  out.push(0x0a); // (1 << 3) | 2
  let n = <u32>name.length;
  while (n >= 0x80) {
    out.push(<u8>(n | 0x80));
    n >>= 7;
  }
  out.push(<u8>n);
  for (let i = 0; i < name.length; i++) out.push(name[i]);
  const bytes = new Uint8Array(out.length);
  for (let i = 0; i < out.length; i++) bytes[i] = out[i];
  return bytes.buffer;
}

/** HealthCheckResponse.status (field 1, varint); 0 (UNKNOWN) when absent or malformed. */
function servingStatus(message: Uint8Array): u64 {
  let i = 0;
  while (i < message.length) {
    const tag = message[i++];
    if (tag != 0x08) return 0; // (1 << 3) | 0; this message has no other fields
    let value: u64 = 0;
    for (let shift: u64 = 0; i < message.length && shift < 64; shift += 7) {
      const byte = message[i++];
      value |= (<u64>(byte & 0x7f)) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    return 0;
  }
  return 0;
}

class CheckBackend extends Context {
  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = this.rootContext as GrpcCallRoot;
    const call = this.dispatchGrpcCall(
      root.cluster,
      "grpc.health.v1.Health",
      "Check",
      [],
      root.request,
      root.timeout,
    );
    if (!call.ok) {
      log(
        LogLevel.Error,
        "grpc_call: cannot call cluster " +
          root.cluster +
          " (result " +
          call.status.toString() +
          ")",
      );
      this.unavailable("health_check_not_sent");
    }
    // Hold the request until onGrpcReceive or onGrpcClose (or the local reply) settles it.
    return FilterHeadersStatus.StopIteration;
  }

  // The reply to the call this stream made.
  onGrpcReceive(token: u32, messageSize: usize): void {
    const message = grpcMessage.get();
    const status = servingStatus(Uint8Array.wrap(message !== null ? message : new ArrayBuffer(0)));
    if (status == SERVING) {
      this.continueRequest();
      return;
    }
    const name = status < <u64>STATUS_NAMES.length ? STATUS_NAMES[<i32>status] : status.toString();
    log(LogLevel.Warn, "grpc_call: backend is " + name + "; answering 503");
    this.unavailable("backend_" + name.toLowerCase());
  }

  // A unary call ends here only when it failed (an error status, a timeout, an unknown method).
  onGrpcClose(token: u32, statusCode: u32): void {
    const status = getCallStatus();
    const message = status !== null ? status.message : "";
    log(
      LogLevel.Warn,
      "grpc_call: health check failed with gRPC status " + statusCode.toString() + ": " + message,
    );
    this.unavailable("health_check_failed");
  }

  unavailable(details: string): void {
    this.sendLocalResponse(
      503,
      details,
      String.UTF8.encode("service unavailable\n"),
      makeHeaders(["retry-after", "5"]),
    );
  }
}

registerRootContext((contextId: u32) => new GrpcCallRoot(contextId), "grpc_call");
