// The objects filters reach by name (`stream_context`, `stream_body`, `downstream_data`, …).
// `@lazy` builds each one only if the filter uses it, which keeps small filters small. This file
// uses AssemblyScript-only decorators, so it is listed in .prettierignore.
import { BufferType, HeaderMapType } from "../abi/enums";
import { BodyPair, Buffer } from "./buffers";
import { HeaderMap, HeaderMapPair, StreamContext } from "./headers";

/**
 * The current HTTP stream's headers and trailers:
 * `stream_context.headers.response.add("hello", "world!")`.
 */
// @ts-ignore: decorator
@lazy export const stream_context = new StreamContext(
  new HeaderMapPair(
    new HeaderMap(HeaderMapType.HttpRequestHeaders),
    new HeaderMap(HeaderMapType.HttpResponseHeaders),
  ),
  new HeaderMapPair(
    new HeaderMap(HeaderMapType.HttpRequestTrailers),
    new HeaderMap(HeaderMapType.HttpResponseTrailers),
  ),
);

/** Headers of the response to an HTTP callout; readable only in its callback. */
// @ts-ignore: decorator
@lazy export const http_call_response_headers = new HeaderMap(HeaderMapType.HttpCallResponseHeaders);
/** Trailers of the response to an HTTP callout; readable only in its callback. */
// @ts-ignore: decorator
@lazy export const http_call_response_trailers = new HeaderMap(
  HeaderMapType.HttpCallResponseTrailers,
);
/** Initial metadata of a gRPC call; readable only in its callback. */
// @ts-ignore: decorator
@lazy export const grpc_receive_initial_metadata = new HeaderMap(
  HeaderMapType.GrpcReceiveInitialMetadata,
);
/** Trailing metadata of a gRPC call; readable only in its callback. */
// @ts-ignore: decorator
@lazy export const grpc_receive_trailing_metadata = new HeaderMap(
  HeaderMapType.GrpcReceiveTrailingMetadata,
);

/** The current HTTP stream's bodies: `stream_body.response.appendString("<!-- done -->")`. */
// @ts-ignore: decorator
@lazy export const stream_body = new BodyPair(
  new Buffer(BufferType.HttpRequestBody),
  new Buffer(BufferType.HttpResponseBody),
);
/** Data from the downstream (client) side of a TCP connection, in `onDownstreamData`. */
// @ts-ignore: decorator
@lazy export const downstream_data = new Buffer(BufferType.DownstreamData);
/** Data from the upstream (server) side of a TCP connection, in `onUpstreamData`. */
// @ts-ignore: decorator
@lazy export const upstream_data = new Buffer(BufferType.UpstreamData);
/** Body of an HTTP callout response, in its callback. */
// @ts-ignore: decorator
@lazy export const http_call_response_body = new Buffer(BufferType.HttpCallResponseBody);
/** A gRPC message received, in its callback. */
// @ts-ignore: decorator
@lazy export const grpc_receive_buffer = new Buffer(BufferType.GrpcReceiveBuffer);
/** The VM configuration, in `onStart`. */
// @ts-ignore: decorator
@lazy export const vm_configuration = new Buffer(BufferType.VmConfiguration);
/** The plugin configuration, in `onConfigure`. */
// @ts-ignore: decorator
@lazy export const plugin_configuration = new Buffer(BufferType.PluginConfiguration);
/** Arguments of a foreign function call, in `onForeignFunction`. */
// @ts-ignore: decorator
@lazy export const foreign_function_arguments = new Buffer(BufferType.CallData);
