/**
 * `kahook inspect PID` reads the native library's figures from outside the process: a program
 * under this runtime's preload (kahook.node) and a C program under `kahook run` (libkahook.so),
 * each counted against what the process itself knows; a process without kahook's library is
 * named as such.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Stats } from "../mod.ts";
import type { LibraryFigures } from "../src/remote/figures.ts";
import { execFileSync, runtimeCommand } from "../src/host/spawn.ts";
import { type Child, startChild, startCommand, withHolder } from "./_fixture.ts";
import { cli, PAIR_SOURCE } from "./_pair.ts";
import { cleanEnv, PRELOADS, run, succeeded } from "./_run.ts";

/** `kahook ARGS`, the CLI run by this runtime. */
function kahookCommand(args: string[]): string[] {
  const { binary, args: flags } = runtimeCommand(cli);
  return [binary, ...flags, ...args];
}

/** `kahook inspect PID --json`'s object. */
function inspectJson(pid: number): { version: number; pid: number; libraries: LibraryFigures[] } {
  const [binary, ...args] = kahookCommand(["inspect", String(pid), "--json"]);
  return JSON.parse(succeeded(run(binary, args)));
}

/** `kahook inspect PID`'s table output. */
function inspectText(pid: number): string {
  const [binary, ...args] = kahookCommand(["inspect", String(pid)]);
  return succeeded(run(binary, args));
}

/** The figures of the one kahook library the process maps, which must be `file`. */
function figuresOf(pid: number, file: string) {
  const { version, libraries } = inspectJson(pid);
  assert.is(version, 2);
  assert.equal(libraries.map(({ library }) => basename(library)), [file]);
  assert.is(libraries[0].problem, undefined);
  return libraries[0].figures!;
}

const setConfigured = (figures: ReturnType<typeof figuresOf>, name: string) =>
  figures.sets.find((set) => set.name === name)?.configured ?? 0;

/** Reads the child's first line, runs use, and stops the child. */
async function withChild(child: Child, use: (line: Record<string, unknown>) => void): Promise<void> {
  try {
    use(await child.next());
  } finally {
    await child.stop();
  }
}

const NOT_MAPPED = /^process \d+ maps no kahook library \(kahook\.node or libkahook\.so\): it runs no kahook, or only/m;

for (const preload of PRELOADS) {
  test(`${preload.name}: inspect reads from outside the figures the process's stats() reports`, () => {
    const child = startChild("fixtures/remote/counted", preload.args);
    return withChild(child, (line) => {
      const stats = line.stats as Stats;
      // The fixture's one listener and three clients, and its setKeepAlive call, kept.
      assert.equal([stats.listeners, stats.clients], [1, 3], JSON.stringify(stats));
      assert.ok(Object.values(stats.kept).some((count) => count > 0), JSON.stringify(stats));
      const figures = figuresOf(child.pid, "kahook.node");
      assert.is(figures.totals.configured, stats.configured);
      assert.is(figures.totals.failed, stats.failed);
      assert.is(setConfigured(figures, "listeners"), stats.listeners);
      assert.is(setConfigured(figures, "clients"), stats.clients);
      assert.equal(figures.kept, stats.kept);
      assert.is(figures.totals.kept, Object.values(stats.kept).reduce((sum, count) => sum + count, 0));
      const text = inspectText(child.pid);
      assert.match(text, /^kahook figures of \/.*\/kahook\.node:$/m);
      assert.match(
        text,
        new RegExp(`^configured +failed +kept .*\\n${stats.configured} +0 +${figures.totals.kept} `, "m"),
      );
      assert.match(text, new RegExp(`^listeners +1 +0 +0 +0 +0\\nclients +3 +0 +0 +0 +0$`, "m"));
    });
  });
}

test("the JavaScript hooks alone (KAHOOK_INTERPOSER=0): no library mapped, and inspect says so", () => {
  const child = startChild("fixtures/remote/counted", PRELOADS[0].args, { KAHOOK_INTERPOSER: "0" });
  return withChild(child, (line) => {
    // Its four sockets, and the client again after its setKeepAlive call.
    assert.ok((line.stats as Stats).configured >= 4, `the hooks configured its sockets: ${JSON.stringify(line.stats)}`);
    assert.equal(inspectJson(child.pid).libraries, []);
    assert.match(inspectText(child.pid), NOT_MAPPED);
  });
});

test("a process without kahook: no library mapped, and inspect says so", () =>
  withHolder((child) => {
    assert.equal(inspectJson(child.pid).libraries, []);
    assert.match(inspectText(child.pid), NOT_MAPPED);
  }));

/** pair.c's own keepalive values ("own"), in the order of its readback and of figures.kept. */
const OWN = [1, 60, 30, 5, 1000];

test("a C program under kahook run: inspect reads libkahook.so's figures, which its own calls account for", () => {
  const program = join(mkdtempSync(join(tmpdir(), "kahook-figures-")), "pair");
  execFileSync("cc", ["-Wall", "-Wextra", "-Werror", "-o", program, PAIR_SOURCE]);
  const child = startCommand("kahook run pair", kahookCommand(["run", "--", program, "own", "hold"]), cleanEnv());
  return withChild(child, (line) => {
    const readback = line as { pid: number; client: number[]; accepted: number[] };
    const figures = figuresOf(readback.pid, "libkahook.so");
    // It listened once and connected once; the accepted socket has the listener's options from the kernel.
    assert.equal(figures.sets.map(({ name, configured }) => [name, configured]), [["listeners", 1], ["clients", 1]]);
    assert.is(figures.totals.configured, 2);
    // Each of its own values that its readback does not show was kept at kahook's.
    const kept = OWN.map((value, i) =>
      [readback.client, readback.accepted].filter((socket) => socket[i] !== value).length
    );
    assert.ok(kept.some(Boolean), `kahook's values differ from the program's: ${JSON.stringify(readback)}`);
    assert.equal(Object.values(figures.kept), kept);
  });
});

test.run();
