// Lets the examples and tests in this checkout import "proxy-wasm-as" the way a user's
// project does: asc and Node both resolve it through node_modules/proxy-wasm-as.
import { existsSync, lstatSync, mkdirSync, symlinkSync } from "node:fs";

const link = "node_modules/proxy-wasm-as";
mkdirSync("node_modules", { recursive: true });
let present = false;
try {
  lstatSync(link);
  present = true;
} catch {}
if (!present && existsSync("index.ts")) symlinkSync("..", link, "dir");
