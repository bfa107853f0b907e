// network: a TCP (network) filter. It sees the raw bytes of a connection in both directions:
// it counts them, rewrites a configured byte string in each direction, and closes connections
// whose client sends more than a byte budget.
//
// Configuration (JSON, every field optional):
//   {"downstream_rewrite": {"from": "HELO", "to": "EHLO"},     client → server
//    "upstream_rewrite": {"from": "backend-3", "to": "proxy"},  server → client
//    "max_downstream_bytes": 1048576}
export * from "proxy-wasm-as/proxy";
import {
  Buffer,
  Counter,
  FilterStatus,
  Gauge,
  JSON,
  LogLevel,
  PeerType,
  RootContext,
  StreamContext,
  TcpContext,
  downstreamData,
  log,
  parseJsonObject,
  registerRootContext,
  upstreamData,
} from "proxy-wasm-as";

/** Replaces every `from` with `to` in a chunk of a byte stream. */
class Rewrite {
  constructor(
    public from: Uint8Array,
    public to: Uint8Array,
  ) {}

  /** Rewrites `buffer` in place; the number of replacements. */
  apply(buffer: Buffer): i32 {
    const data = buffer.get();
    if (data === null) return 0;
    const input = Uint8Array.wrap(data);
    const out = new Array<u8>();
    let count = 0;
    let i = 0;
    while (i < input.length) {
      if (this.matchesAt(input, i)) {
        for (let j = 0; j < this.to.length; j++) out.push(this.to[j]);
        i += this.from.length;
        count++;
      } else {
        out.push(input[i++]);
      }
    }
    if (count > 0) {
      const bytes = new Uint8Array(out.length);
      for (let j = 0; j < out.length; j++) bytes[j] = out[j];
      buffer.replace(bytes.buffer);
    }
    return count;
  }

  matchesAt(input: Uint8Array, at: i32): bool {
    if (at + this.from.length > input.length) return false;
    for (let j = 0; j < this.from.length; j++) if (input[at + j] != this.from[j]) return false;
    return true;
  }
}

class NetworkRoot extends RootContext {
  downstreamRewrite: Rewrite | null = null;
  upstreamRewrite: Rewrite | null = null;
  maxDownstreamBytes: i64 = 0; // 0: no limit
  // Metrics are defined once per plugin and shared by every connection.
  downstreamBytes: Counter = new Counter("network.downstream_bytes");
  upstreamBytes: Counter = new Counter("network.upstream_bytes");
  active: Gauge = new Gauge("network.active_connections");

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
    const text = this.getConfiguration();
    if (text == "") return true;
    const config = parseJsonObject(text, "network configuration");
    if (config === null) return false;
    if (!parseRewrite(config, "downstream_rewrite", this, true)) return false;
    if (!parseRewrite(config, "upstream_rewrite", this, false)) return false;
    if (config.has("max_downstream_bytes")) {
      const max = config.getInteger("max_downstream_bytes");
      if (max === null || max.valueOf() < 1) {
        log(
          LogLevel.Error,
          'network configuration: "max_downstream_bytes" must be a positive integer',
        );
        return false;
      }
      this.maxDownstreamBytes = max.valueOf();
    }
    return true;
  }

  createContext(contextId: u32): StreamContext {
    return new Connection(contextId, this);
  }
}

function parseRewrite(config: JSON.Obj, key: string, root: NetworkRoot, downstream: bool): bool {
  if (!config.has(key)) return true;
  const rule = config.getObj(key);
  const from = rule !== null ? rule.getString("from") : null;
  const to = rule !== null ? rule.getString("to") : null;
  if (from === null || from.valueOf() == "" || to === null) {
    log(
      LogLevel.Error,
      'network configuration: "' + key + '" must be {"from": "<non-empty>", "to": "…"}',
    );
    return false;
  }
  const rewrite = new Rewrite(
    Uint8Array.wrap(String.UTF8.encode(from.valueOf())),
    Uint8Array.wrap(String.UTF8.encode(to.valueOf())),
  );
  if (downstream) root.downstreamRewrite = rewrite;
  else root.upstreamRewrite = rewrite;
  return true;
}

class Connection extends TcpContext {
  received: i64 = 0; // from the client
  sent: i64 = 0; // from the server

  onNewConnection(): FilterStatus {
    (this.rootContext as NetworkRoot).active.increment(1);
    return FilterStatus.Continue;
  }

  onDownstreamData(dataSize: usize, endOfStream: bool): FilterStatus {
    const root = this.rootContext as NetworkRoot;
    this.received += <i64>dataSize;
    if (dataSize > 0) root.downstreamBytes.increment(dataSize);
    if (root.maxDownstreamBytes > 0 && this.received > root.maxDownstreamBytes) {
      log(
        LogLevel.Info,
        "network: closing connection " + this.contextId.toString() + ": over the byte budget",
      );
      this.closeDownstream();
      return FilterStatus.StopIteration; // these bytes never reach the server
    }
    // A match split across two reads is not seen: TCP has no message boundaries.
    const rewrite = root.downstreamRewrite;
    if (rewrite !== null) rewrite.apply(downstreamData);
    return FilterStatus.Continue;
  }

  onUpstreamData(dataSize: usize, endOfStream: bool): FilterStatus {
    const root = this.rootContext as NetworkRoot;
    this.sent += <i64>dataSize;
    if (dataSize > 0) root.upstreamBytes.increment(dataSize);
    const rewrite = root.upstreamRewrite;
    if (rewrite !== null) rewrite.apply(upstreamData);
    return FilterStatus.Continue;
  }

  onDownstreamConnectionClose(peerType: PeerType): void {
    const by = peerType == PeerType.Local ? "the proxy" : "the client";
    log(LogLevel.Info, "network: connection " + this.contextId.toString() + " closed by " + by);
  }

  // For TCP, onLog runs once the connection is gone (after onDone).
  onLog(): void {
    (this.rootContext as NetworkRoot).active.increment(-1);
    log(
      LogLevel.Info,
      "network: connection " +
        this.contextId.toString() +
        ": " +
        this.received.toString() +
        " bytes from the client, " +
        this.sent.toString() +
        " bytes from the server",
    );
  }
}

registerRootContext((contextId: u32) => new NetworkRoot(contextId), "network");
