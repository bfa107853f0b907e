// properties: read the attributes Envoy knows about a request, its connection, the proxy and
// the plugin, and write one for other filters and the access log.
//   request.*  path, method, host, scheme, protocol, id, time   (typed getters in `request`)
//   source.*   the client's address and port                  (`source`)
//   xds.*      the node, cluster and route of the proxy        (`xds`, or any path by name)
//   plugin_*   this plugin's name, root id and vm id           (`plugin`)
// Every getter returns null (or -1) when the host does not have the attribute.
export * from "proxy-wasm-as/proxy";
import {
  Context,
  FilterHeadersStatus,
  LogLevel,
  RootContext,
  getPropertyString,
  log,
  plugin,
  registerRootContext,
  request,
  requestHeaders,
  response,
  setPropertyString,
  source,
  xds,
} from "proxy-wasm-as";

class PropertiesRoot extends RootContext {
  onConfigure(configurationSize: u32): bool {
    // Plugin attributes are known from the start.
    log(
      LogLevel.Info,
      "plugin " +
        orDash(plugin.name()) +
        " (root_id " +
        orDash(plugin.rootId()) +
        ", vm_id " +
        orDash(plugin.vmId()) +
        ") on node " +
        orDash(xds.nodeId()),
    );
    return super.onConfigure(configurationSize);
  }

  createContext(contextId: u32): Context {
    return new Properties(contextId, this);
  }
}

class Properties extends Context {
  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus {
    const headers = requestHeaders;
    // Tell the upstream who called and through which proxy and route.
    const client = source.address();
    if (client !== null) {
      headers.replace("x-client-address", client);
      // Filter state for later filters and the access log: %FILTER_STATE(wasm.client_ip)%.
      setPropertyString("client_ip", hostOf(client));
    }
    const node = xds.nodeId();
    if (node !== null) headers.replace("x-proxy-node", node);
    const region = getPropertyString("xds.node.metadata.REGION"); // any path, by name
    if (region !== null) headers.replace("x-proxy-region", region);
    const route = xds.routeName();
    if (route !== null) headers.replace("x-route-name", route);
    return FilterHeadersStatus.Continue;
  }

  onLog(): void {
    // At access-log time the request attributes are readable again, and the response code is known.
    const code = response.code();
    const port = source.port();
    const requestLine = orDash(request.method()) + " " + orDash(request.path());
    const line = [
      orDash(source.address()),
      '"' + requestLine + " " + orDash(request.protocol()) + '"',
      code.ok ? code.value.toString() : "-",
      "host=" + orDash(request.host()),
      "id=" + orDash(request.id()),
      "port=" + (port.ok ? port.value.toString() : "-"),
      "cluster=" + orDash(xds.clusterName()),
    ];
    log(LogLevel.Info, line.join(" "));
  }
}

/** The value, or "-" when it is missing or empty (an empty vm_id, for example). */
function orDash(value: string | null): string {
  return value !== null && value.length > 0 ? value : "-";
}

/** "10.0.0.7:51234" → "10.0.0.7"; "[2001:db8::1]:443" → "2001:db8::1". */
function hostOf(address: string): string {
  if (address.startsWith("[")) {
    const end = address.indexOf("]");
    return end > 0 ? address.substring(1, end) : address;
  }
  const colon = address.lastIndexOf(":");
  return colon > 0 ? address.substring(0, colon) : address;
}

registerRootContext((contextId: u32) => new PropertiesRoot(contextId), "properties");
