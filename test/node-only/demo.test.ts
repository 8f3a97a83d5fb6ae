/** `kahook demo` (what `npm start` runs), end to end: it shows a vanished peer and exits 0. */
import { execFile } from "../../src/host/spawn.ts";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { root } from "../_repo.ts";

/** The demo takes about 6.5 s; this bounds it, ms. */
const TIMEOUT_MS = 30_000;

test("kahook demo: kahook's connection closes with ETIMEDOUT within its bound, the other stays established", async () => {
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
    execFile(
      process.execPath,
      [join(root, "dist/src/cli.js"), "demo"],
      { timeout: TIMEOUT_MS },
      (error, stdout) => resolve({ code: error ? (error as { code?: number }).code ?? null : 0, stdout }),
    );
  });
  assert.is(code, 0, stdout);
  assert.match(stdout, /^ +[0-9.]+ s {2}2 probes sent, 2 unanswered +established, no probe sent$/m);
  const detected = stdout.match(/^ {2}with kahook {6}closed ([0-9.]+) s after the peer vanished, with ETIMEDOUT$/m);
  assert.ok(detected, stdout);
  assert.ok(Number(detected[1]) >= 4.5 && Number(detected[1]) <= 7, `detected after ${detected[1]} s; bound 5 s`);
  assert.match(stdout, /^ {2}without kahook {3}still established after [0-9.]+ s, 0 probes sent$/m);
  assert.match(stdout, /^ {2}Linux defaults {3}\d+ s \(/m);
  // deno-lint-ignore no-control-regex -- an escape sequence is what must not appear
  assert.not.match(stdout, /\x1b\[/, "no escape sequences when stdout is not a terminal");
});

test.run();
