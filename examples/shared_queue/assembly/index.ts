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
  RootContext,
  WasmResult,
  dequeueSharedQueue,
  enqueueSharedQueue,
  logInfo,
  logWarn,
  registerRootContext,
  registerSharedQueue,
  resolveSharedQueue,
  stream_context,
} from "proxy-wasm-as";

const QUEUE = "http_requests";

class ReceiverRoot extends RootContext {
  queueId: u32 = 0;
  received: Counter = new Counter("shared_queue.received");

  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    // Registering makes this root context the one the host notifies for the queue.
    this.queueId = registerSharedQueue(QUEUE);
    if (this.queueId == 0) return false;
    logInfo("receiver: listening on queue " + QUEUE);
    return true;
  }

  onQueueReady(queue_id: u32): void {
    // One notification per enqueued item, but draining everything that is there is cheaper and
    // leaves nothing behind if notifications were merged.
    let item = dequeueSharedQueue(queue_id);
    while (item !== null) {
      this.received.increment();
      logInfo("receiver: " + String.UTF8.decode(item));
      item = dequeueSharedQueue(queue_id);
    }
  }
}

class SenderRoot extends RootContext {
  queueId: u32 = 0;

  /** The queue's id, looked up on first use: the receiver may start after the sender. */
  queue(): u32 {
    if (this.queueId == 0) this.queueId = resolveSharedQueue("", QUEUE); // "": this vm_id
    return this.queueId;
  }

  createContext(context_id: u32): Context {
    return new Sender(context_id, this);
  }
}

class Sender extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    const root = this.root_context as SenderRoot;
    const headers = stream_context.headers.request;
    const message = headers.get(":method") + " " + headers.get(":path");
    const queue = root.queue();
    if (queue == 0 || enqueueSharedQueue(queue, String.UTF8.encode(message)) != WasmResult.Ok) {
      // Never hold up traffic for the side channel.
      logWarn("sender: queue " + QUEUE + " is not registered; dropped: " + message);
      root.queueId = 0;
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((context_id: u32) => new ReceiverRoot(context_id), "shared_queue_receiver");
registerRootContext((context_id: u32) => new SenderRoot(context_id), "shared_queue_sender");
