// Loading and starting a module: cpp-host `src/bytecode_util.cc` getAbiVersion,
// `src/wasm.cc` getFunctions / startVm / registerCallbacks, `src/v8/v8.cc` linking and
// restricted callbacks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Host, LoadError, StartError } from "../../src/host/index.js";
import { compileWat, filter, watFile } from "./helpers.js";

async function loadError(bytes: Uint8Array | Promise<Uint8Array>): Promise<LoadError> {
  const b = await bytes;
  const err = await Host.load(b).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof LoadError, `expected a LoadError, got ${String(err)}`);
  return err;
}

test("non-wasm bytes are a LoadError", async () => {
  const e = await loadError(new TextEncoder().encode("definitely not wasm"));
  assert.match(e.message, /not a WebAssembly binary/);
});

test("a file that cannot be read is a LoadError naming it", async () => {
  await assert.rejects(Host.load("/nonexistent/filter.wasm"), (e: unknown) => {
    assert.ok(e instanceof LoadError);
    assert.match(e.message, /cannot read \/nonexistent\/filter\.wasm/);
    return true;
  });
});

test("a missing ABI marker is 'Missing or unknown Proxy-Wasm ABI version' (bytecode_util.cc)", async () => {
  const e = await loadError(watFile("missing_marker.wat"));
  assert.equal(e.message, "Missing or unknown Proxy-Wasm ABI version");
});

test("an import the host does not provide names it (v8.cc)", async () => {
  const e = await loadError(watFile("unknown_import.wat"));
  assert.match(e.message, /missing import: env\.abort/);
});

test("an import with the wrong type is an import type mismatch (v8.cc)", async () => {
  const e = await loadError(watFile("import_type_mismatch.wat"));
  assert.match(e.message, /import type mismatch: env\.proxy_log/);
});

test("a proxy_on_* export with the wrong signature is 'Bad function signature for: NAME'", async () => {
  const e = await loadError(watFile("bad_signature.wat"));
  assert.equal(e.message, "Bad function signature for: proxy_on_request_headers");
});

test("the same two-argument headers callback is right for an ABI 0.1.0 module", async () => {
  const wasm = await filter(
    ({ s }) => `(func (export "proxy_on_request_headers") (param $c i32) (param $n i32) (result i32)
      (call $trace ${s("headers")} (i32.const 2) (local.get $c) (local.get $n) (i32.const 0))
      (i32.const 0))`,
    { abi: "0.1.0" },
  );
  const host = await Host.load(wasm);
  host.newHttpContext().requestHeaders({ a: "1", b: "2" });
  assert.deepEqual(host.logs("info"), ["headers(2,2)"]);
});

test("a module without malloc or proxy_on_memory_allocate fails to load", async () => {
  const e = await loadError(watFile("no_allocator.wat"));
  assert.equal(e.message, "Wasm module is missing malloc function.");
});

test("malloc is preferred over proxy_on_memory_allocate, as cpp-host wasm.cc getFunctions does", async () => {
  const wasm = await filter(
    ({ s }) => `
    (func (export "malloc") (param $n i32) (result i32)
      (call $log ${s("malloc")}) (call $alloc (local.get $n)))
    (func (export "proxy_on_memory_allocate") (param $n i32) (result i32)
      (call $log ${s("proxy_on_memory_allocate")}) (call $alloc (local.get $n)))
    (func (export "proxy_on_vm_start") (param i32 i32) (result i32)
      (call $log_num ${s("get")} (call $proxy_get_property ${s("plugin_root_id")} (i32.const 0x100) (i32.const 0x104)))
      (i32.const 1))`,
    { allocator: null },
  );
  const host = await Host.load(wasm, { rootId: "r" });
  assert.deepEqual(host.logs(), ["malloc", "get=0"]);
});

test("proxy_on_memory_allocate alone is used as the allocator", async () => {
  const wasm = await filter(
    ({ s }) => `(func (export "proxy_on_vm_start") (param i32 i32) (result i32)
      (drop (call $proxy_get_property ${s("plugin_root_id")} (i32.const 0x100) (i32.const 0x104)))
      (call $log_str ${s("root")})
      (i32.const 1))`,
    { allocator: "proxy_on_memory_allocate" },
  );
  const host = await Host.load(wasm, { rootId: "only_pma" });
  assert.deepEqual(host.logs(), ["root=only_pma"]);
});

test("each ABI version registers its own hostcalls (wasm.cc registerCallbacks)", async () => {
  const importing = (name: string, sig: string, abi: string) =>
    compileWat(`(module (import "env" "${name}" (func ${sig}))
      (memory (export "memory") 1)
      (func (export "proxy_abi_version_${abi}"))
      (func (export "malloc") (param i32) (result i32) (i32.const 1024)))`);
  // proxy_get_log_level exists only from 0.2.1 on.
  const e = await loadError(importing("proxy_get_log_level", "(param i32) (result i32)", "0_2_0"));
  assert.match(e.message, /env\.proxy_get_log_level/);
  await Host.load(await importing("proxy_get_log_level", "(param i32) (result i32)", "0_2_1"));
  // proxy_continue_stream is 0.2.x; 0.1.0 has proxy_continue_request instead.
  await loadError(importing("proxy_continue_stream", "(param i32) (result i32)", "0_1_0"));
  await Host.load(await importing("proxy_continue_request", "(result i32)", "0_1_0"));
  await loadError(importing("proxy_continue_request", "(result i32)", "0_2_1"));
  const h = await Host.load(
    await importing("proxy_get_configuration", "(param i32 i32) (result i32)", "0_1_0"),
  );
  assert.equal(h.vm.abiVersion, "0.1.0");
});

test("start sequence: _initialize, main, then context_create, vm_start, configure (wasm.cc startVm)", async () => {
  const wasm = await filter(
    ({ s }) => `
    (func (export "_initialize") (call $log ${s("_initialize")}))
    (func (export "main") (param i32 i32) (result i32) (call $log ${s("main")}) (i32.const 0))
    (func (export "_start") (call $log ${s("_start")}))
    (func (export "proxy_on_context_create") (param $a i32) (param $b i32)
      (call $trace ${s("context_create")} (i32.const 2) (local.get $a) (local.get $b) (i32.const 0)))
    (func (export "proxy_on_vm_start") (param $a i32) (param $b i32) (result i32)
      (call $trace ${s("vm_start")} (i32.const 2) (local.get $a) (local.get $b) (i32.const 0)) (i32.const 1))
    (func (export "proxy_on_configure") (param $a i32) (param $b i32) (result i32)
      (call $trace ${s("configure")} (i32.const 2) (local.get $a) (local.get $b) (i32.const 0)) (i32.const 1))`,
  );
  const host = await Host.load(wasm, { vmConfig: "vmcfg", pluginConfig: { a: 1 } });
  // _start is not called when _initialize exists; ids come from a per-VM counter from 1.
  assert.deepEqual(host.logs(), [
    "_initialize",
    "main",
    "context_create(1,0)",
    "vm_start(1,5)",
    "configure(1,7)", // {"a":1}
  ]);
});

test("_start runs when there is no _initialize; __main_void after _initialize when no main", async () => {
  const a = await filter(({ s }) => `(func (export "_start") (call $log ${s("_start")}))`);
  assert.deepEqual((await Host.load(a)).logs(), ["_start"]);
  const b = await filter(
    ({ s }) => `(func (export "_initialize") (call $log ${s("init")}))
      (func (export "__main_void") (result i32) (call $log ${s("__main_void")}) (i32.const 0))`,
  );
  assert.deepEqual((await Host.load(b)).logs(), ["init", "__main_void"]);
});

test("restricted hostcalls during start-up trap with restricted_callback (v8.cc)", async () => {
  const wasm = await filter(
    ({ s }) => `(func (export "_initialize")
      (call $log ${s("allowed")})
      (drop (call $proxy_set_tick_period_milliseconds (i32.const 10)))
      (call $log ${s("not reached")}))`,
  );
  const err = await Host.load(wasm).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof StartError);
  assert.match(err.message, /restricted_callback/);
  assert.ok(err.logs.some((l) => l.includes("allowed")));
  assert.ok(!err.logs.some((l) => l.includes("not reached")));
});

test("inside the allocator only proxy_log and a few WASI calls are allowed", async () => {
  const wasm = await filter(
    ({ s }) => `
    (func (export "malloc") (param $n i32) (result i32)
      (call $log ${s("in malloc")})
      (drop (call $proxy_get_log_level (i32.const 0x108)))
      (call $alloc (local.get $n)))
    (func (export "proxy_on_vm_start") (param i32 i32) (result i32)
      (drop (call $proxy_get_property ${s("plugin_root_id")} (i32.const 0x100) (i32.const 0x104)))
      (i32.const 1))`,
    { allocator: null },
  );
  const err = await Host.load(wasm, { rootId: "x" }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof StartError);
  assert.ok(err.logs.some((l) => l.includes("in malloc")));
  assert.ok(err.logs.some((l) => l.includes("restricted_callback")));
});

test("false from proxy_on_vm_start or proxy_on_configure is a StartError with the filter's logs", async () => {
  const vmStart = await filter(
    ({ s }) => `(func (export "proxy_on_vm_start") (param i32 i32) (result i32)
      (drop (call $proxy_log (i32.const 4) ${s("bad vm config")})) (i32.const 0))`,
  );
  const e1 = await Host.load(vmStart).catch((e: unknown) => e);
  assert.ok(e1 instanceof StartError);
  assert.match(e1.message, /proxy_on_vm_start/);
  assert.deepEqual(
    e1.logs.map((l) => l.replace(/^\[\w+\] /, "")),
    ["wasm log: bad vm config"],
  );
  const configure = await filter(
    ({ s }) => `(func (export "proxy_on_configure") (param i32 i32) (result i32)
      (drop (call $proxy_log (i32.const 4) ${s("bad plugin config")})) (i32.const 0))`,
  );
  const e2 = await Host.load(configure, { rootId: "r", pluginName: "p" }).catch((e: unknown) => e);
  assert.ok(e2 instanceof StartError);
  assert.match(e2.message, /proxy_on_configure/);
  assert.deepEqual(e2.logs, ["[error] wasm log p r: bad plugin config"]);
});

test("VM_CONFIGURATION is readable only in on_vm_start, PLUGIN_CONFIGURATION only in on_configure", async () => {
  const read = (label: string, type: number) => `
      (call $log_num ${label}
        (call $proxy_get_buffer_bytes (i32.const ${type}) (i32.const 0) (i32.const 100) (i32.const 0x100) (i32.const 0x104)))`;
  const wasm = await filter(
    ({ s }) => `
    (func (export "proxy_on_vm_start") (param i32 i32) (result i32)
      ${read(s("vm.vm"), 6)} (call $log_str ${s("vm")}) ${read(s("vm.plugin"), 7)} (i32.const 1))
    (func (export "proxy_on_configure") (param i32 i32) (result i32)
      ${read(s("cfg.plugin"), 7)} (call $log_str ${s("plugin")}) ${read(s("cfg.vm"), 6)} (i32.const 1))
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
      ${read(s("req.plugin"), 7)} ${read(s("req.bad"), 9)} (i32.const 0))`,
  );
  const host = await Host.load(wasm, { vmConfig: "V", pluginConfig: "P" });
  host.newHttpContext().requestHeaders({});
  assert.deepEqual(host.logs(), [
    "vm.vm=0",
    "vm=V",
    "vm.plugin=1",
    "cfg.plugin=0",
    "plugin=P",
    "cfg.vm=1",
    "req.plugin=1",
    "req.bad=2",
  ]);
});

test("ABI 0.1.0 proxy_get_configuration returns the plugin configuration", async () => {
  const wasm = await filter(
    ({ s }) => `(func (export "proxy_on_configure") (param i32 i32) (result i32)
      (call $log_num ${s("r")} (call $proxy_get_configuration (i32.const 0x100) (i32.const 0x104)))
      (call $log_str ${s("cfg")}) (i32.const 1))`,
    { abi: "0.1.0" },
  );
  const host = await Host.load(wasm, { pluginConfig: "legacy" });
  assert.deepEqual(host.logs(), ["r=0", "cfg=legacy"]);
});

test("WASI: fd_write logs stdout at info and stderr at error, other fds are BADF", async () => {
  const wasm = await filter(
    ({ s, p, l }) => `
    (func (export "proxy_on_vm_start") (param i32 i32) (result i32)
      (i32.store (i32.const 0x500) ${p("to stdout\n")})
      (i32.store (i32.const 0x504) ${l("to stdout\n")})
      (call $log_num ${s("fd1")} (call $fd_write (i32.const 1) (i32.const 0x500) (i32.const 1) (i32.const 0x108)))
      (call $log_num ${s("written")} (i32.load (i32.const 0x108)))
      (i32.store (i32.const 0x500) ${p("to stderr")})
      (i32.store (i32.const 0x504) ${l("to stderr")})
      (call $log_num ${s("fd2")} (call $fd_write (i32.const 2) (i32.const 0x500) (i32.const 1) (i32.const 0x108)))
      (call $log_num ${s("fd7")} (call $fd_write (i32.const 7) (i32.const 0x500) (i32.const 1) (i32.const 0x108)))
      (call $log_num ${s("clock9")} (call $clock_time_get (i32.const 9) (i64.const 0) (i32.const 0x110)))
      (call $log_num ${s("clock0")} (call $clock_time_get (i32.const 0) (i64.const 0) (i32.const 0x110)))
      (call $log_num64 ${s("now")} (i64.load (i32.const 0x110)))
      (call $log_num ${s("rand_big")} (call $random_get (i32.const 0x10000) (i32.const 65537)))
      (call $log_num ${s("rand")} (call $random_get (i32.const 0x10000) (i32.const 16)))
      (i32.const 1))`,
    {
      extra: `(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
        (import "wasi_unstable" "random_get" (func $random_get (param i32 i32) (result i32)))`,
    },
  );
  const host = await Host.load(wasm, { time: new Date("2025-01-02T03:04:05Z") });
  assert.deepEqual(
    host.logs("info").filter((l) => l === "to stdout"),
    ["to stdout"],
  );
  assert.deepEqual(host.logs("error"), ["to stderr"]);
  const info = host.logs("info");
  assert.ok(info.includes("fd1=0") && info.includes("written=10"));
  assert.ok(info.includes("fd2=0") && info.includes("fd7=8"));
  assert.ok(info.includes("clock9=58") && info.includes("clock0=0"));
  assert.ok(info.includes(`now=${BigInt(Date.parse("2025-01-02T03:04:05Z")) * 1000000n}`));
  assert.ok(info.includes("rand_big=28") && info.includes("rand=0"));
});
