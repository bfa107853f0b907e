import { test } from "node:test";
import assert from "node:assert/strict";
import { Action, Host, StartError } from "proxy-wasm-as/host";

const wasm = new URL("../build/optimized.wasm", import.meta.url);
const SNIPPET = '<script src="/rum.js"></script>';
const load = (pluginConfig: object = { snippet: SNIPPET }) =>
  Host.load(wasm, { rootId: "response_rewrite", pluginConfig });

/** Sends a GET, then the upstream's response in `chunks`. */
function serve(host: Host, headers: Record<string, string>, chunks: (string | Buffer)[]) {
  const http = host.newHttpContext();
  http.requestHeaders(
    { ":method": "GET", ":path": "/", ":authority": "www.example" },
    { endOfStream: true },
  );
  const action = http.responseHeaders(
    { ":status": "200", ...headers },
    { endOfStream: chunks.length === 0 },
  );
  chunks.forEach((c, i) => http.responseBody(c, { endOfStream: i === chunks.length - 1 }));
  http.complete();
  return { http, action };
}

const page = "<html><head><title>Shop</title></head><body><h1>Welcome</h1></body></html>";
const length = (s: string) => String(Buffer.byteLength(s));

test("the snippet goes in before </body> and Content-Length grows by its size", async () => {
  const host = await load();
  const { http, action } = serve(
    host,
    { "content-type": "text/html; charset=utf-8", "content-length": length(page) },
    [page],
  );
  assert.equal(action, Action.Continue, "the headers go out at once");
  const expected = page.replace("</body>", `${SNIPPET}</body>`);
  assert.equal(http.response.text(), expected);
  assert.equal(http.response.headers.get("content-length"), length(expected));
});

test("a page split into chunks is buffered whole; a marker across two chunks is found", async () => {
  const host = await load();
  const chunks = ["<html><body>", "<p>1</p>", "<p>2</p></bo", "dy></html>"];
  const { http } = serve(host, { "content-type": "text/html" }, chunks);
  assert.equal(http.response.text(), `<html><body><p>1</p><p>2</p>${SNIPPET}</body></html>`);
  assert.equal(http.response.bodyChunks.length, 1, "forwarded once, after the rewrite");
  assert.equal(http.response.headers.has("content-length"), false, "none was given, none is added");
});

test("only the last </body> counts; a page without one gets the snippet at the end", async () => {
  const host = await load();
  const tricky = "<body><pre>&lt;/body&gt; is written </body> here</pre>\n</body>";
  const one = serve(host, { "content-type": "text/html" }, [tricky]);
  assert.equal(one.http.response.text(), tricky.slice(0, -7) + SNIPPET + "</body>");
  const fragment = "<div>partial</div>";
  const two = serve(host, { "content-type": "text/html", "content-length": length(fragment) }, [
    fragment,
  ]);
  assert.equal(two.http.response.text(), fragment + SNIPPET);
  assert.equal(two.http.response.headers.get("content-length"), length(fragment + SNIPPET));
});

test("bytes of a non-UTF-8 page are kept as they are", async () => {
  const host = await load();
  const latin1 = Buffer.concat([
    Buffer.from("<body>caf"),
    Buffer.from([0xe9]),
    Buffer.from("</body>"),
  ]);
  const { http } = serve(host, { "content-type": "text/html; charset=iso-8859-1" }, [latin1]);
  assert.deepEqual(
    http.response.body,
    Buffer.concat([
      Buffer.from("<body>caf"),
      Buffer.from([0xe9]),
      Buffer.from(SNIPPET + "</body>"),
    ]),
  );
});

test("other content types, compressed pages and bodiless responses stream through untouched", async () => {
  const host = await load();
  const body = '{"html":"</body>"}';
  const json = serve(host, { "content-type": "application/json", "content-length": length(body) }, [
    body,
  ]);
  assert.equal(json.http.response.headers.get("content-length"), length(body));
  assert.equal(json.http.response.text(), body);
  const gzip = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]);
  const zipped = serve(
    host,
    { "content-type": "text/html", "content-encoding": "gzip", "content-length": "6" },
    [gzip],
  );
  assert.deepEqual(zipped.http.response.body, gzip);
  assert.equal(zipped.http.response.headers.get("content-length"), "6");
  const head = serve(host, { "content-type": "text/html", "content-length": "512" }, []);
  assert.equal(head.http.response.headers.get("content-length"), "512");
  // A streamed non-HTML body is not held back: each chunk goes on as it arrives.
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/video" }, { endOfStream: true });
  http.responseHeaders({ ":status": "200", "content-type": "video/mp4" });
  assert.equal(http.responseBody("part1"), Action.Continue);
  assert.equal(http.response.text(), "part1");
});

test("the marker is configurable", async () => {
  const host = await load({ snippet: "<!-- served by edge-7 -->", marker: "</head>" });
  const { http } = serve(host, { "content-type": "text/html" }, [page]);
  assert.equal(http.response.text(), page.replace("</head>", "<!-- served by edge-7 --></head>"));
});

function refused(pluginConfig: unknown, line: string) {
  return assert.rejects(
    Host.load(wasm, { rootId: "response_rewrite", pluginConfig: pluginConfig as object }),
    (err: unknown) => err instanceof StartError && err.logs.some((l) => l.includes(line)),
  );
}

test("bad configuration stops the plugin with a log line that says why", async () => {
  await refused("<script>", "response_rewrite configuration is not valid JSON");
  await refused({}, '"snippet" must be a non-empty string');
  await refused({ snippet: "" }, '"snippet" must be a non-empty string');
  await refused({ snippet: "x", marker: 1 }, '"marker" must be a non-empty string');
});
