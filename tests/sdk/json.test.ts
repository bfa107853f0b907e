// JSON configuration with parseJsonObject: a valid object configures the filter; invalid JSON and
// non-objects make onConfigure false with an error log instead of a trap.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, StartError } from "proxy-wasm-as/host";
import { filterWasm, mark, reports } from "./helpers.ts";

const wasm = filterWasm("json");

function responseHeaders(host: Host): [string, string][] {
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" }, { endOfStream: true });
  http.responseHeaders({ ":status": "200" }, { endOfStream: true });
  return http.response.headers.entries().filter(([k]) => k !== ":status");
}

test("a valid object: strings, integers, booleans, arrays and nested objects are read", async () => {
  const host = await Host.load(wasm, {
    rootId: "json",
    pluginConfig: {
      header: "x-team",
      value: "blue",
      count: 2,
      enabled: false,
      tags: ["a", "b", "c"],
      limits: { rps: 250 },
    },
  });
  const r = reports(host);
  assert.equal(r["syntax"], "ok");
  assert.equal(r["enabled"], "false");
  assert.equal(r["tags"], "3");
  assert.equal(r["limits.rps"], "250");
  assert.deepEqual(responseHeaders(host), [
    ["x-team", "blue"],
    ["x-team", "blue"],
  ]);
  assert.deepEqual(host.logs("error"), []);
});

test("absent keys keep their defaults", async () => {
  const host = await Host.load(wasm, { rootId: "json", pluginConfig: '{"value": "only"}' });
  const r = reports(host);
  assert.equal(r["enabled"], "absent");
  assert.equal(r["tags"], "absent");
  assert.equal(r["limits.rps"], "absent");
  assert.deepEqual(responseHeaders(host), [["x-configured", "only"]]);
});

test("invalid JSON: onConfigure false, an error line saying where, no trap", async () => {
  const error = await Host.load(wasm, { rootId: "json", pluginConfig: '{"header": "x", }' }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof StartError);
  assert.match(error.message, /proxy_on_configure returned false/);
  assert.ok(
    error.logs.some(
      (l) =>
        l.includes("[error]") &&
        l.endsWith("configuration is not valid JSON: expected a quoted key at offset 16"),
    ),
    error.logs.join("\n"),
  );
  assert.ok(error.logs.some((l) => l.endsWith("rejected=expected a quoted key at offset 16")));
  assert.ok(error.logs.some((l) => l.endsWith("syntax=bad: expected a quoted key at offset 16")));
  assert.ok(!error.logs.some((l) => l.includes("[critical]")), "no trap");
});

test("valid JSON that is not an object is rejected too", async () => {
  for (const config of ["[1, 2]", '"text"', "42"]) {
    const error = await Host.load(wasm, { rootId: "json", pluginConfig: config }).then(
      () => null,
      (e: unknown) => e,
    );
    assert.ok(error instanceof StartError, config);
    assert.ok(
      error.logs.some(
        (l) => l.includes("[error]") && l.endsWith("configuration must be a JSON object"),
      ),
    );
    assert.ok(error.logs.some((l) => l.endsWith("rejected=expected a JSON object")));
  }
});

test("the `what` argument names the VM configuration in the message", async () => {
  const error = await Host.load(wasm, { rootId: "json", vmConfig: "{oops" }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof StartError);
  assert.match(error.message, /proxy_on_vm_start returned false/);
  assert.ok(
    error.logs.some((l) =>
      l.includes("vm configuration is not valid JSON: expected a quoted key at offset 1"),
    ),
  );
});

test("tryParseJsonObject: client input is parsed without error lines", async () => {
  const host = await Host.load(wasm, { rootId: "json" });
  const cases: [string, string][] = [
    ['{"name": "ada"}', "name ada"],
    ["{}", "name absent"],
    ['{"name": ', "bad: unexpected end at offset 9"],
    ["[1]", "bad: expected a JSON object"],
  ];
  for (const [body, expected] of cases) {
    const from = mark(host);
    const http = host.newHttpContext();
    http.requestHeaders({ ":path": "/" });
    http.requestBody(body, { endOfStream: true });
    assert.equal(reports(host, from)["client"], expected, body);
  }
  assert.deepEqual(host.logs("error"), []);
});

function parseBody(host: Host, body: string): Record<string, string> {
  const from = mark(host);
  const http = host.newHttpContext();
  http.requestHeaders({ ":path": "/" });
  http.requestBody(body, { endOfStream: true });
  http.complete();
  return reports(host, from);
}

// The same values as assemblyscript-json's own parser, except that integers of up to 18 digits
// are exact (the library goes through f64: 123456789012345696).
test("tryParseJsonObject builds the values assemblyscript-json would: escapes, numbers, nesting", async () => {
  const host = await Host.load(wasm, { rootId: "json" });
  const body =
    '{"echo": 1, "name": "a\\"b\\\\c\\/\\u00e9\\ud83d\\ude00", ' +
    '"n": [0, -0, -12, 3.5, 1e3, -2.5E-2, 123456789012345678, 99999999999999999999], ' +
    '"t": [true, false, null, {}, []], "o": {"k": {"k2": "v"}}, "dup": 1, "dup": 2}';
  const r = parseBody(host, body);
  assert.equal(r["client"], 'name a"b\\c/é😀');
  assert.equal(
    r["echo"],
    '{"echo":1,"name":"a\\"b\\\\c/é😀",' +
      '"n":[0,0.0,-12,3.5,1000.0,-0.025,123456789012345678,9223372036854775807],' +
      '"t":[true,false,null,{},[]],"o":{"k":{"k2":"v"}},"dup":2}',
  );
});

test("parsing allocates in proportion to the body, a few bytes per byte", async () => {
  // Linear memory is what a parse leaves behind: the collector runs between callbacks, so all
  // of a body's garbage is still there when the callback returns. assemblyscript-json's parser
  // (behind a separate syntax check) took 63 bytes per byte of an array of small integers;
  // (77 on this body), the SDK's one-pass parser about 10.
  const growth = async (items: number) => {
    const host = await Host.load(wasm, { rootId: "json" });
    const memory = host.vm.exports.memory as WebAssembly.Memory;
    const before = memory.buffer.byteLength;
    const body = JSON.stringify({ name: "n", items: Array.from({ length: items }, (_, i) => i) });
    assert.equal(parseBody(host, body)["client"], "name n");
    return { bytes: body.length, growth: memory.buffer.byteLength - before };
  };
  const small = await growth(10_000); // 58 KiB
  const large = await growth(40_000); // 254 KiB
  assert.ok(large.growth < 24 * large.bytes, `${large.growth} B for a ${large.bytes} B body`);
  assert.ok(
    large.growth <= 4.5 * small.growth + 65536,
    `4× the items: ${small.growth} → ${large.growth} B`,
  );
});
