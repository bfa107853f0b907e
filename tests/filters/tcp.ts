// Test filter for TCP (network) contexts: rewrites client data (ping → PONG-style upper case),
// wraps server data in [ ], holds data until a full line arrives, closes on "quit". Lifecycle
// callbacks and results are logged as key=value.
export * from "proxy-wasm-as/proxy";
import {
  FilterStatus,
  LogLevel,
  PeerType,
  Result,
  RootContext,
  StreamContext,
  TcpContext,
  downstreamData,
  log,
  registerRootContext,
  upstreamData,
} from "proxy-wasm-as";

function len(value: Result<u32>): string {
  return value.ok ? value.value.toString() : "-1";
}

function report(key: string, value: string): void {
  log(LogLevel.Info, key + "=" + value);
}

class TcpRoot extends RootContext {
  createContext(contextId: u32): StreamContext {
    return new UpperCaseTcp(contextId, this);
  }
}

class UpperCaseTcp extends TcpContext {
  holding: bool = false;

  onNewConnection(): FilterStatus {
    report("event", "new_connection");
    return FilterStatus.Continue;
  }

  onDownstreamData(data_size: usize, end_of_stream: bool): FilterStatus {
    report("downstream.size", data_size.toString());
    report("downstream.eos", end_of_stream ? "true" : "false");
    report("downstream.length", len(downstreamData.length()));
    report("upstream.outside", len(upstreamData.length()));
    const text = downstreamData.getString();
    if (text === null) return FilterStatus.Continue;
    if (text == "quit\n") {
      report("close", (<i32>this.closeDownstream()).toString());
      return FilterStatus.StopIteration;
    }
    if (text == "bye\n") {
      report("close.upstream", (<i32>this.closeUpstream()).toString());
      return FilterStatus.StopIteration;
    }
    if (text == "later\n") {
      // Held until the server says something (see onUpstreamData).
      this.holding = true;
      return FilterStatus.StopIteration;
    }
    if (!text.endsWith("\n")) return FilterStatus.StopIteration; // wait for the whole line
    report("replace", (<i32>downstreamData.replaceString(text.toUpperCase())).toString());
    return FilterStatus.Continue;
  }

  onUpstreamData(data_size: usize, end_of_stream: bool): FilterStatus {
    report("upstream.size", data_size.toString());
    report("upstream.eos", end_of_stream ? "true" : "false");
    upstreamData.prependString("[");
    upstreamData.appendString("]");
    if (this.holding) {
      this.holding = false;
      report("continue", (<i32>this.continueDownstream()).toString());
    }
    return FilterStatus.Continue;
  }

  onDownstreamConnectionClose(peer_type: PeerType): void {
    report("event", "downstream_close:" + (<i32>peer_type).toString());
  }

  onUpstreamConnectionClose(peer_type: PeerType): void {
    report("event", "upstream_close:" + (<i32>peer_type).toString());
  }

  onDone(): bool {
    report("event", "done");
    return true;
  }

  onLog(): void {
    report("event", "log");
  }

  onDelete(): void {
    report("event", "delete");
  }
}

registerRootContext((contextId: u32) => new TcpRoot(contextId), "tcp");
