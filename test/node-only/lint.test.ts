/**
 * What JSR checks, run with the Deno of the test matrix: `deno lint` over the repository (its
 * recommended rules) and `deno doc --lint mod.ts` (every exported symbol documented, no private
 * type in a public signature); and the formatter, `deno fmt --check`.
 */
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { spawnSync } from "../../src/host/spawn.ts";
import { root } from "../_repo.ts";
import { RUNTIME_BINARIES } from "../_runtimes.ts";

const deno = (args: string[]) =>
  spawnSync(RUNTIME_BINARIES.deno, args, {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
    timeout: 60_000,
  });

test("deno lint: no problems", () => {
  const result = deno(["lint"]);
  assert.is(result.status, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stderr + result.stdout, /Checked \d+ files/);
});

test("deno fmt --check: every TypeScript file formatted as deno.json's fmt settings say (line width 120)", () => {
  const result = deno(["fmt", "--check"]);
  assert.is(result.status, 0, `${result.stdout}\n${result.stderr}`);
  assert.match(result.stderr + result.stdout, /Checked \d+ files/);
});

test("deno doc --lint mod.ts: no problems", () => {
  const result = deno(["doc", "--lint", "mod.ts"]);
  assert.is(result.status, 0, result.stderr.split("\n").filter((line) => !/^(Warning| {4}at) /.test(line)).join("\n"));
  assert.match(result.stdout + result.stderr, /Checked 1 file/);
});

test.run();
