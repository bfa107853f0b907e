// What every context offers the hostcalls. Streams (HTTP, TCP) and roots override the parts that
// exist for them; the defaults are what Envoy answers where a thing does not exist.
import { BufferType, HeaderMapType, StreamType, WasmResult } from "./enums.js";
import type { HeaderMap } from "./header_map.js";
import { PropertyStore, type PropertyValue } from "./properties.js";
import type { Vm } from "./vm.js";
import type { RootContext } from "./root_context.js";

/** What `getMap` found: the map (null when unavailable) and how it may be used. */
export interface MapAccess {
  map: HeaderMap | null;
  /** Mutations give BadArgument. */
  readOnly?: boolean;
  /** Envoy's access-log phase: a missing map gives NotFound instead of BadArgument on lookups. */
  logPhase?: boolean;
  /** Makes the missing map on a mutation (trailers added from the end_of_stream body callback). */
  create?: () => HeaderMap;
}

/** A buffer as the hostcalls see it; `set` absent means immutable (BadArgument). */
export interface BufferAccess {
  get(): Buffer;
  set?(data: Buffer): void;
}

/** A local reply as the filter sent it (proxytest `GetSentLocalResponse`). */
export interface LocalResponse {
  status: number;
  body: Buffer;
  headers: [string, string][];
  /** Response code details; whitespace replaced by `_`. */
  details: string;
  /** 0..16, or null for "none". */
  grpcStatus: number | null;
}

export abstract class Context {
  abstract readonly kind: "root" | "http" | "tcp";
  /** The root (plugin) context this context belongs to (itself for a root). */
  abstract readonly root: RootContext;
  /** @internal true once proxy_on_context_create ran. */
  created = false;
  /** @internal set by proxy_send_local_response: the current callback's result becomes Stop. */
  stopNextIteration = false;
  private ownProperties: PropertyStore | null = null;

  /** @internal properties set for this context only (`http.setProperty`); made when first set. */
  get localProperties(): PropertyStore {
    return (this.ownProperties ??= new PropertyStore());
  }

  /** @internal a property set for this context only, without making the store. */
  localProperty(segs: string[]): PropertyValue | undefined {
    return this.ownProperties?.lookup(segs);
  }

  constructor(
    readonly vm: Vm,
    readonly id: number,
  ) {}

  /** @internal */
  getMap(type: number): MapAccess | undefined {
    if (
      type >= HeaderMapType.GrpcReceiveInitialMetadata &&
      type <= HeaderMapType.HttpCallResponseTrailers
    ) {
      return this.root.rootMap(type);
    }
    return type > HeaderMapType.HttpCallResponseTrailers ? undefined : { map: null };
  }

  /** @internal null = unavailable (NotFound); undefined = bad type (BadArgument). */
  getBuffer(type: number): BufferAccess | null | undefined {
    if (type > BufferType.CallData) return undefined;
    if (
      type === BufferType.HttpCallResponseBody ||
      type === BufferType.GrpcReceiveBuffer ||
      type === BufferType.VmConfiguration ||
      type === BufferType.PluginConfiguration
    ) {
      return this.root.rootBuffer(type);
    }
    return null;
  }

  /** @internal Envoy: Ok and nothing happens where there are no decoder callbacks. */
  sendLocalResponse(_r: LocalResponse): WasmResult {
    return WasmResult.Ok;
  }

  /** @internal */
  continueStream(type: number): WasmResult {
    if (type > StreamType.Upstream) return WasmResult.BadArgument;
    if (type === StreamType.Upstream) return WasmResult.Unimplemented;
    return WasmResult.Ok;
  }

  /** @internal */
  closeStream(type: number): WasmResult {
    if (type > StreamType.Upstream) return WasmResult.BadArgument;
    return WasmResult.Ok;
  }

  /** @internal a property only this kind of context knows (request.*, response.*...). */
  derivedProperty(_segs: string[]): PropertyValue | undefined {
    return undefined;
  }

  /** @internal Envoy: NotFound without a stream (no stream info). */
  setFilterState(_key: string, _value: Buffer): WasmResult {
    return WasmResult.NotFound;
  }

  /** @internal */
  filterStateValue(_key: string): Buffer | undefined {
    return undefined;
  }
}
