// The host's maps and buffers, one object each (`requestHeaders`, `responseBody`,
// `downstreamData`, …). `@lazy` builds each one only if the filter uses it, which keeps small
// filters small. This file uses AssemblyScript-only decorators, so it is listed in .prettierignore.
import { BufferType, HeaderMapType } from "../abi/enums";
import { Buffer } from "./buffers";
import { HeaderMap } from "./headers";

/** The current HTTP request's headers, in `onRequestHeaders` and later callbacks of the stream. */
// @ts-ignore: decorator
@lazy export const requestHeaders = new HeaderMap(HeaderMapType.HttpRequestHeaders);
/** The current HTTP response's headers: `responseHeaders.add("hello", "world!")`. */
// @ts-ignore: decorator
@lazy export const responseHeaders = new HeaderMap(HeaderMapType.HttpResponseHeaders);
/** The current HTTP request's trailers, in `onRequestTrailers`. */
// @ts-ignore: decorator
@lazy export const requestTrailers = new HeaderMap(HeaderMapType.HttpRequestTrailers);
/** The current HTTP response's trailers, in `onResponseTrailers`. */
// @ts-ignore: decorator
@lazy export const responseTrailers = new HeaderMap(HeaderMapType.HttpResponseTrailers);
/** Headers of the response to an HTTP callout; readable only in `onHttpCallResponse`. */
// @ts-ignore: decorator
@lazy export const httpCallResponseHeaders = new HeaderMap(HeaderMapType.HttpCallResponseHeaders);
/** Trailers of the response to an HTTP callout; readable only in `onHttpCallResponse`. */
// @ts-ignore: decorator
@lazy export const httpCallResponseTrailers = new HeaderMap(HeaderMapType.HttpCallResponseTrailers);
/** Initial metadata of a gRPC call; readable only in `onGrpcReceiveInitialMetadata`. */
// @ts-ignore: decorator
@lazy export const grpcInitialMetadata = new HeaderMap(HeaderMapType.GrpcReceiveInitialMetadata);
/** Trailing metadata of a gRPC call; readable only in `onGrpcReceiveTrailingMetadata`. */
// @ts-ignore: decorator
@lazy export const grpcTrailingMetadata = new HeaderMap(HeaderMapType.GrpcReceiveTrailingMetadata);

/** The current HTTP request's body, in `onRequestBody`. */
// @ts-ignore: decorator
@lazy export const requestBody = new Buffer(BufferType.HttpRequestBody);
/** The current HTTP response's body: `responseBody.appendString("<!-- done -->")`. */
// @ts-ignore: decorator
@lazy export const responseBody = new Buffer(BufferType.HttpResponseBody);
/** Data from the downstream (client) side of a TCP connection, in `onDownstreamData`. */
// @ts-ignore: decorator
@lazy export const downstreamData = new Buffer(BufferType.DownstreamData);
/** Data from the upstream (server) side of a TCP connection, in `onUpstreamData`. */
// @ts-ignore: decorator
@lazy export const upstreamData = new Buffer(BufferType.UpstreamData);
/** Body of an HTTP callout response, in `onHttpCallResponse`. */
// @ts-ignore: decorator
@lazy export const httpCallResponseBody = new Buffer(BufferType.HttpCallResponseBody);
/** A gRPC message received, in `onGrpcReceive`. */
// @ts-ignore: decorator
@lazy export const grpcMessage = new Buffer(BufferType.GrpcReceiveBuffer);
/** The VM configuration, in `onStart`. */
// @ts-ignore: decorator
@lazy export const vmConfiguration = new Buffer(BufferType.VmConfiguration);
/** The plugin configuration, in `onConfigure`. */
// @ts-ignore: decorator
@lazy export const pluginConfiguration = new Buffer(BufferType.PluginConfiguration);
/** Arguments of a foreign function call, in `onForeignFunction`. */
// @ts-ignore: decorator
@lazy export const foreignFunctionArguments = new Buffer(BufferType.CallData);

