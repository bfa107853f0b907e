// Test filter for root ids and lifecycles: two registered roots ("first", "second"), VM and
// plugin configuration, ticks, asynchronous done, and the stream callbacks' order.
// Plugin configuration: "reject" (onConfigure false), "tick:<ms>", "tick-free:<ms>" (the free
// set_tick_period_milliseconds), "async-done". VM configuration "fail-start" makes onStart false.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  getCurrentTimeNanoseconds,
  log,
  pluginConfiguration,
  registerRootContext,
  responseHeaders,
  vmConfiguration,
} from "proxy-wasm-as";

function report(key: string, value: string): void {
  log(LogLevel.Info, key + "=" + value);
}

class NamedRoot extends RootContext {
  ticks: i32 = 0;
  asyncDone: bool = false;

  constructor(
    contextId: u32,
    public name: string,
  ) {
    super(contextId);
  }

  onStart(vm_configuration_size: usize): bool {
    const config = vmConfiguration.getString();
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
    report(this.name + ".id", this.contextId.toString());
    report(this.name + ".done.early", (<i32>this.done()).toString());
    if (config == "reject") return false;
    if (config.startsWith("tick:")) {
      report(
        "setTickPeriod",
        (<i32>this.setTickPeriod(<u32>I32.parseInt(config.substr(5)))).toString(),
      );
    }
    this.asyncDone = config == "async-done";
    if (this.asyncDone) this.setTickPeriod(100);
    return true;
  }

  onTick(): void {
    this.ticks++;
    report(
      this.name + ".tick",
      this.ticks.toString() + "@" + getCurrentTimeNanoseconds().value.toString(),
    );
    const outside = pluginConfiguration.getString();
    report("tick.plugin_configuration", outside !== null ? outside : "null");
    const length = vmConfiguration.length();
    report("tick.vm_configuration.length", length.ok ? length.value.toString() : "not ok");
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

  createContext(contextId: u32): Context {
    return new Stream(contextId, this);
  }
}

/** Reports its callbacks so tests can check their order. */
class Stream extends Context {
  onRequestHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    report("stream.event", "request_headers:" + this.contextId.toString());
    return FilterHeadersStatus.Continue;
  }

  onResponseHeaders(num_headers: u32, end_of_stream: bool): FilterHeadersStatus {
    responseHeaders.add("x-root", (<NamedRoot>this.rootContext).name);
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
      report(this.name + ".done.call", (<i32>this.done()).toString());
      return;
    }
    super.onTick();
  }
}

registerRootContext((contextId: u32) => new DrainingRoot(contextId, "first"), "first");
registerRootContext((contextId: u32) => new NamedRoot(contextId, "second"), "second");
