// Test filter for root ids and lifecycles: two registered roots ("first", "second"), VM and
// plugin configuration, ticks, asynchronous done, and the stream callbacks' order.
// Plugin configuration: "reject" (onConfigure false), "tick:<ms>", "tick-free:<ms>" (the free
// set_tick_period_milliseconds), "async-done". VM configuration "fail-start" makes onStart false.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  RootContext,
  done,
  get_current_time_nanoseconds,
  logInfo,
  plugin_configuration,
  registerRootContext,
  set_tick_period_milliseconds,
  stream_context,
  vm_configuration,
} from "proxy-wasm-as";

function report(key: string, value: string): void {
  logInfo(key + "=" + value);
}

class NamedRoot extends RootContext {
  ticks: i32 = 0;
  asyncDone: bool = false;

  constructor(
    context_id: u32,
    public name: string,
  ) {
    super(context_id);
  }

  onStart(vm_configuration_size: usize): bool {
    const config = vm_configuration.getString();
    report(
      this.name + ".start",
      (config !== null ? config : "null") + "/" + vm_configuration_size.toString(),
    );
    return config != "fail-start";
  }

  onConfigure(configuration_size: u32): bool {
    super.onConfigure(configuration_size);
    const config = this.getConfiguration();
    report(this.name + ".configure", config + "/" + configuration_size.toString());
    report(this.name + ".id", this.context_id.toString());
    report(this.name + ".done.early", (<i32>done()).toString());
    if (config == "reject") return false;
    if (config.startsWith("tick:")) {
      report(
        "setTickPeriod",
        (<i32>this.setTickPeriod(<u32>I32.parseInt(config.substr(5)))).toString(),
      );
    }
    if (config.startsWith("tick-free:")) {
      const ms = <u32>I32.parseInt(config.substr(10));
      report("set_tick_period_milliseconds", (<i32>set_tick_period_milliseconds(ms)).toString());
    }
    this.asyncDone = config == "async-done";
    if (this.asyncDone) this.setTickPeriod(100);
    return true;
  }

  onTick(): void {
    this.ticks++;
    report(
      this.name + ".tick",
      this.ticks.toString() + "@" + get_current_time_nanoseconds().toString(),
    );
    const outside = plugin_configuration.getString();
    report("tick.plugin_configuration", outside !== null ? outside : "null");
    report("tick.vm_configuration.length", vm_configuration.length().toString());
    if (this.ticks == 3) this.setTickPeriod(0);
  }

  onDone(): bool {
    report(this.name + ".done", this.asyncDone ? "later" : "now");
    if (this.asyncDone) {
      // Finish "asynchronously": on the next tick.
      this.ticks = 100;
      return false;
    }
    return true;
  }

  onDelete(): void {
    report(this.name + ".delete", "yes");
  }

  createContext(context_id: u32): Context {
    return new Stream(context_id, this);
  }
}

/** Reports its callbacks so tests can check their order. */
class Stream extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    report("stream.event", "request_headers:" + this.context_id.toString());
    return FilterHeadersStatus.Continue;
  }

  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    stream_context.headers.response.add("x-root", (<NamedRoot>this.root_context).name);
    return FilterHeadersStatus.Continue;
  }

  onLog(): void {
    report("stream.event", "log");
  }

  onDone(): bool {
    report("stream.event", "done");
    return true;
  }

  onDelete(): void {
    report("stream.event", "delete");
  }
}

/** A root whose onTick finishes a pending shutdown with done(). */
class DrainingRoot extends NamedRoot {
  onTick(): void {
    if (this.ticks >= 100) {
      report(this.name + ".done.call", (<i32>done()).toString());
      return;
    }
    super.onTick();
  }
}

registerRootContext((context_id: u32) => new DrainingRoot(context_id, "first"), "first");
registerRootContext((context_id: u32) => new NamedRoot(context_id, "second"), "second");
