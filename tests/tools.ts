// Tests that need a system tool (docker-registry, podman, buildah, skopeo, wabt's wasm-objdump)
// skip with a reason naming the Debian package when it is missing. CI sets
// PROXY_WASM_AS_REQUIRE_TOOLS=1 (.ci/run does), and then a missing tool is a failure, so CI never
// skips silently.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";

const found = new Map<string, boolean>();

/** Whether `name` is a command on the PATH. */
export function hasCommand(name: string): boolean {
  let present = found.get(name);
  if (present === undefined) {
    present =
      spawnSync("sh", ["-c", `command -v "$1"`, "sh", name], { stdio: "ignore" }).status === 0;
    found.set(name, present);
  }
  return present;
}

/** True when CI asked for every tool to be present (PROXY_WASM_AS_REQUIRE_TOOLS=1). */
export function toolsRequired(): boolean {
  return process.env.PROXY_WASM_AS_REQUIRE_TOOLS === "1";
}

const reported = new Set<string>();

/**
 * For a test's `skip` option: false when `tool` is installed, else the reason
 * ("needs skopeo (apt-get install skopeo)"). With PROXY_WASM_AS_REQUIRE_TOOLS=1 a missing tool
 * also registers a failing test under that reason (once per tool and test file), so the run
 * goes red instead of skipping.
 */
export function toolSkip(tool: string, debianPackage: string): string | false {
  if (hasCommand(tool)) return false;
  const reason = `needs ${tool} (apt-get install ${debianPackage})`;
  if (toolsRequired() && !reported.has(tool)) {
    reported.add(tool);
    test(reason, () => {
      assert.fail(
        `${tool} is not installed and PROXY_WASM_AS_REQUIRE_TOOLS=1 forbids skipping: ${reason}`,
      );
    });
  }
  return reason;
}
