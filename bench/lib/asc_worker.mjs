// One AssemblyScript compiler per worker thread (binaryen keeps global state, so two compiles
// never share a thread): bench/lib/build.ts sends the asc arguments, gets back the errors or null.
import { parentPort } from "node:worker_threads";

let asc = null;
parentPort.on("message", async ({ id, args }) => {
  let errors = "";
  try {
    asc ??= (await import("assemblyscript/asc")).default;
    const { error } = await asc.main(args, {
      stderr: { write: (s) => ((errors += s), true) },
      stdout: { write: () => true },
    });
    parentPort.postMessage({
      id,
      problem: error ? errors || String(error.message ?? error) : null,
    });
  } catch (e) {
    parentPort.postMessage({ id, problem: errors + String(e?.stack ?? e) });
  }
});
