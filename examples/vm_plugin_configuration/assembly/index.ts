// vm_plugin_configuration: the two configurations a filter gets, and where each is readable.
//
// - The VM configuration (Envoy vm_config.configuration) belongs to the VM, which every plugin
//   with the same vm_id shares. It arrives in onStart, the only place it can be read.
// - The plugin configuration (Envoy config.configuration, Istio pluginConfig) belongs to one
//   plugin. It arrives in onConfigure, the only place it can be read.
//
// This filter takes the deployment environment from the VM configuration and a set of response
// headers from the plugin configuration, and adds all of them to every response:
//   VM:     {"environment": "staging"}        →  x-environment: staging
//   plugin: {"response_headers": {"x-team": "payments"}}  →  x-team: payments
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  HeaderPair,
  Headers,
  LogLevel,
  RootContext,
  log,
  parseJsonObject,
  registerRootContext,
  responseHeaders,
  vmConfiguration,
} from "proxy-wasm-as";

// A module-level variable lives as long as the VM and is seen by every plugin in it: the right
// home for VM-wide settings. ("" when the VM configuration names no environment.)
let environment = "";

class ConfiguredRoot extends RootContext {
  responseHeaders: Headers = [];

  onStart(vmConfigurationSize: usize): bool {
    const text = vmConfiguration.getString();
    if (text === null || text == "") return true; // no VM configuration: no x-environment
    const config = parseJsonObject(text, "VM configuration");
    if (config === null) return false; // the VM fails to start
    const name = config.getString("environment");
    if (name === null || name.valueOf() == "") {
      log(LogLevel.Error, 'VM configuration: "environment" must be a non-empty string');
      return false;
    }
    environment = name.valueOf();
    log(LogLevel.Info, "VM configuration: environment " + environment);
    return true;
  }

  onConfigure(configurationSize: u32): bool {
    super.onConfigure(configurationSize);
    const config = parseJsonObject(this.getConfiguration(), "plugin configuration");
    if (config === null) return false; // this plugin fails to configure
    const headers = config.getObj("response_headers");
    if (headers === null) {
      log(
        LogLevel.Error,
        'plugin configuration: "response_headers" must be an object of header names to values',
      );
      return false;
    }
    const names = headers.keys;
    for (let i = 0; i < names.length; i++) {
      const value = headers.getString(names[i]);
      if (names[i] == "" || names[i].startsWith(":") || value === null) {
        log(
          LogLevel.Error,
          'plugin configuration: header "' + names[i] + '" needs a regular name and a string value',
        );
        return false;
      }
      this.responseHeaders.push(HeaderPair.of(names[i], value.valueOf()));
    }
    log(LogLevel.Info, "plugin configuration: " + names.length.toString() + " response header(s)");
    return true;
  }

  createContext(contextId: u32): Context {
    return new AddConfiguredHeaders(contextId, this);
  }
}

class AddConfiguredHeaders extends Context {
  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const response = responseHeaders;
    if (environment != "") response.replace("x-environment", environment);
    const headers = (this.rootContext as ConfiguredRoot).responseHeaders;
    for (let i = 0; i < headers.length; i++) {
      response.replace(headers[i].keyText, headers[i].valueText);
    }
    return FilterHeadersStatus.Continue;
  }
}

registerRootContext((contextId: u32) => new ConfiguredRoot(contextId), "vm_plugin_configuration");
