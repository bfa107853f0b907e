// A filter project imports the emulator as "proxy-wasm-as/host" (package.json "exports"), which
// resolves to the compiled dist/ (built by `npm run build:ts`, which `npm test` runs first).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { filter } from "./helpers.js";

const built = existsSync(new URL("../../dist/src/host/index.js", import.meta.url));

test(
  "import { Host, Action } from 'proxy-wasm-as/host' and write a test in a few lines",
  { skip: !built && "run `npm run build:ts` first" },
  async () => {
    const { Host, Action } = await import("proxy-wasm-as/host");
    const wasm = await filter(
      ({ s }) => `(func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
      (drop (call $proxy_add_header_map_value (i32.const 2) ${s("hello")} ${s("world!")}))
      (i32.const 0))`,
    );
    const host = await Host.load(wasm, { rootId: "add_header", pluginConfig: "" });
    const http = host.newHttpContext();
    assert.equal(
      http.requestHeaders({ ":path": "/", ":method": "GET" }, { endOfStream: true }),
      Action.Continue,
    );
    http.responseHeaders({ ":status": "200" });
    assert.equal(http.response.headers.get("hello"), "world!");
    http.complete();
    assert.equal(http.state, "completed");
  },
);
