// shared_queue: one plugin hands messages to another through a shared queue.
//
// The module holds two plugins, picked by root_id:
// - "shared_queue_receiver" registers the queue and drains it whenever the host says it has
//   items (onQueueReady). Run it once per proxy, for example as an Envoy bootstrap singleton.
// - "shared_queue_sender" is an HTTP filter: for every request it enqueues "<method> <path>" and
//   lets the request go on at once. The work (here logging and counting) happens off the request
//   path, in the receiver.
// Queues are keyed by vm_id and name, so both plugins must run with the same vm_id.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  Counter,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  WasmResult,
  dequeueSharedQueue,
  enqueueSharedQueue,
  log,
  registerRootContext,
  registerSharedQueue,
  requestHeaders,
  resolveSharedQueue,
} from "proxy-wasm-as";

const QUEUE = "http_requests";

class ReceiverRoot extends RootContext {
  queueId: u32 = 0;
  received: Counter = new Counter("shared_queue.received");

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
    // Registering makes this root context the one the host notifies for the queue.
    const queue = registerSharedQueue(QUEUE);
    if (!queue.ok) {
      log(
        LogLevel.Error,
        "receiver: cannot register queue " + QUEUE + ": " + queue.status.toString(),
      );
      return false;
    }
    this.queueId = queue.value;
    log(LogLevel.Info, "receiver: listening on queue " + QUEUE);
    return true;
  }

  onQueueReady(queueId: u32): void {
    // One notification per enqueued item, but draining everything that is there is cheaper and
    // leaves nothing behind if notifications were merged.
    let item = dequeueSharedQueue(queueId);
    while (item !== null) {
      this.received.increment();
      log(LogLevel.Info, "receiver: " + String.UTF8.decode(item));
      item = dequeueSharedQueue(queueId);
    }
  }
}

class SenderRoot extends RootContext {
  queueId: u32 = 0;

  /** The queue's id, looked up on first use: the receiver may start after the sender. */
  queue(): u32 {
    if (this.queueId == 0) this.queueId = resolveSharedQueue("", QUEUE).value; // "": this vm_id; 0 if not yet
    return this.queueId;
  }

  createContext(contextId: u32): Context {
    return new Sender(contextId, this);
  }
}

class Sender extends Context {
  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const root = this.rootContext as SenderRoot;
    const headers = requestHeaders;
    const method = headers.get(":method");
    const path = headers.get(":path");
    const message = (method !== null ? method : "-") + " " + (path !== null ? path : "-");
    const queue = root.queue();
    if (queue == 0 || enqueueSharedQueue(queue, String.UTF8.encode(message)) != WasmResult.Ok) {
      // Never hold up traffic for the side channel.
      log(LogLevel.Warn, "sender: queue " + QUEUE + " is not registered; dropped: " + message);
      root.queueId = 0;
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new ReceiverRoot(contextId), "shared_queue_receiver");
registerRootContext((contextId: u32) => new SenderRoot(contextId), "shared_queue_sender");
