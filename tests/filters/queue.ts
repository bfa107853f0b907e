// Test filter for shared queues: the root registers "jobs" (and a name from the configuration)
// and drains it in onQueueReady; streams resolve and enqueue. Results logged as key=value.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  RootContext,
  dequeueSharedQueue,
  dequeue_shared_queue,
  enqueueSharedQueue,
  enqueue_shared_queue,
  lastSharedQueueId,
  logInfo,
  registerRootContext,
  registerSharedQueue,
  register_shared_queue,
  resolveSharedQueue,
  resolve_shared_queue,
  stream_context,
} from "proxy-wasm-as";

function report(key: string, value: string): void {
  logInfo(key + "=" + value);
}

class QueueRoot extends RootContext {
  jobs: u32 = 0;

  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    const name = this.getConfiguration() != "" ? this.getConfiguration() : "jobs";
    this.jobs = registerSharedQueue(name);
    report("registered", this.jobs.toString());
    report("registered.again", register_shared_queue(name).toString());
    report("lastSharedQueueId", lastSharedQueueId().toString());
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
      item = dequeue_shared_queue(queue_id);
    }
  }

  createContext(context_id: u32): Context {
    return new QueueFilter(context_id, this);
  }
}

class QueueFilter extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const h = stream_context.headers.request;
    const op = h.get("x-op");
    if (op == "enqueue") {
      const id = resolveSharedQueue(h.get("x-vm"), h.get("x-queue"));
      report("resolved", id.toString());
      const items = h.get("x-items").split(",");
      for (let i = 0; i < items.length; i++) {
        const r = enqueueSharedQueue(id, String.UTF8.encode(items[i]));
        report("enqueue." + i.toString(), (<i32>r).toString());
      }
    } else if (op == "errors") {
      report("resolve.missing", resolve_shared_queue("", "no-such-queue").toString());
      report("enqueue.unknown", (<i32>enqueue_shared_queue(9999, new ArrayBuffer(1))).toString());
      report("dequeue.unknown", dequeueSharedQueue(9999) === null ? "null" : "item");
      const own = resolveSharedQueue("", "jobs");
      report("dequeue.empty", dequeueSharedQueue(own) === null ? "null" : "item");
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((context_id: u32) => new QueueRoot(context_id), "queue");
