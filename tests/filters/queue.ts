// Test filter for shared queues: the root registers "jobs" (and a name from the configuration)
// and drains it in onQueueReady; streams resolve and enqueue. Results logged as key=value.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  dequeueSharedQueue,
  enqueueSharedQueue,
  log,
  registerRootContext,
  registerSharedQueue,
  requestHeaders,
  resolveSharedQueue,
} from "proxy-wasm-as";

function report(key: string, value: string): void {
  log(LogLevel.Info, key + "=" + value);
}

function orEmpty(value: string | null): string {
  return value !== null ? value : "";
}

class QueueRoot extends RootContext {
  jobs: u32 = 0;

  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    const name = this.getConfiguration() != "" ? this.getConfiguration() : "jobs";
    this.jobs = registerSharedQueue(name).value;
    report("registered", this.jobs.toString());
    report("registered.again", registerSharedQueue(name).value.toString());
    return true;
  }

  onQueueReady(queue_id: u32): void {
    report("ready", queue_id.toString());
    let item = dequeueSharedQueue(queue_id);
    if (item === null) {
      report("drained", "empty");
      return;
    }
    while (item !== null) {
      report("got", String.UTF8.decode(item));
      item = dequeueSharedQueue(queue_id);
    }
  }

  createContext(contextId: u32): Context {
    return new QueueFilter(contextId, this);
  }
}

class QueueFilter extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const h = requestHeaders;
    const op = h.get("x-op");
    if (op == "enqueue") {
      const id = resolveSharedQueue(orEmpty(h.get("x-vm")), orEmpty(h.get("x-queue"))).value;
      report("resolved", id.toString());
      const items = orEmpty(h.get("x-items")).split(",");
      for (let i = 0; i < items.length; i++) {
        const r = enqueueSharedQueue(id, String.UTF8.encode(items[i]));
        report("enqueue." + i.toString(), (<i32>r).toString());
      }
    } else if (op == "errors") {
      const missing = resolveSharedQueue("", "no-such-queue");
      report("resolve.missing", missing.value.toString() + " " + (<i32>missing.status).toString());
      report("enqueue.unknown", (<i32>enqueueSharedQueue(9999, new ArrayBuffer(1))).toString());
      report("dequeue.unknown", dequeueSharedQueue(9999) === null ? "null" : "item");
      const own = resolveSharedQueue("", "jobs").value;
      report("dequeue.empty", dequeueSharedQueue(own) === null ? "null" : "item");
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new QueueRoot(contextId), "queue");
