/** `deno lint` over the repository (its recommended rules) passes: the project's code is lint-clean for JSR. */
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "../../src/spawn.ts";
import { root } from "../_repo.ts";
import { RUNTIME_BINARIES } from "../_runtimes.ts";

test("deno lint: no problems", () => {
  const result = spawnSync(RUNTIME_BINARIES.deno, ["lint"], { cwd: root, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000 });
  assert.is(result.status, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stderr + result.stdout, /Checked \d+ files/);
});

test.run();
