/** kahook inspect and kahook apply on the command line, against a child process. */
import { spawnSync } from "../../src/host/spawn.ts";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { withHolder } from "../_fixture.ts";
import { packageRoot, runRuntime, succeeded } from "../_run.ts";
import { asNobody } from "../_user.ts";

const cli = `${packageRoot}dist/src/cli.js`;
const kahook = (args: string[], env?: Record<string, string>) => runRuntime([cli, ...args], env);

test("inspect --json and apply agree with the child's own getsockopt", () =>
  withHolder(async (child, ready) => {
    const applied = succeeded(kahook(["apply", String(child.pid), "--idle", "33", "--count", "2"]));
    assert.is(applied.split("\n").filter((line) => line.endsWith("  ok")).length, ready.length, applied);
    const inside = await child.ask("read");
    const { version, sockets: listed } = JSON.parse(succeeded(kahook(["inspect", String(child.pid), "--json"])));
    assert.is(version, 2);
    assert.is(listed.length, ready.length);
    for (const socket of listed) {
      const name = `${socket.local} ${socket.remote}`;
      assert.equal(socket.options, inside[name], name);
      // kahook's defaults fill what the command line leaves out: interval 15 s, user timeout derived.
      assert.equal([socket.options.idle, socket.options.interval, socket.options.count], [33_000, 15_000, 2], name);
      assert.is(socket.options.userTimeout, 63_000, name);
    }
  }));

test("inspect prints one row per socket with its state and options", () =>
  withHolder((child, ready) => {
    // The socket table, then after a blank line what kahook's library counted (test/remote-figures.test.ts).
    const rows = succeeded(kahook(["inspect", String(child.pid)])).split("\n\n")[0].trimEnd().split("\n");
    assert.match(
      rows[0],
      /^fd +local +remote +state +keepalive +idle +intvl +cnt +user_timeout +probes +retrans +last_recv$/,
    );
    assert.is(rows.length, ready.length + 1);
    assert.ok(rows.some((row) => / LISTEN +off +7200s +75s +9 +system +0 +0 +-$/.test(row)), rows.join("\n"));
    assert.ok(rows.some((row) => / ESTABLISHED +on +21s +4s +5 +33s +0 +0 +\d+ms$/.test(row)), rows.join("\n"));
  }));

test("without ptrace permission: a clear EPERM error, exit 77 (EX_NOPERM)", () =>
  withHolder((child) => {
    assert.is(kahook(["inspect", String(child.pid)]).status, 0, "the same command as root");
    // nobody: a user without ptrace permission over this test's processes, which run as root.
    const { command, args } = asNobody(process.execPath, [cli, "inspect", String(child.pid)]);
    const denied = spawnSync(command, args, { encoding: "utf8", timeout: 30_000 });
    assert.is(denied.status, 77, denied.stderr);
    assert.match(denied.stderr, /^kahook: .*permission denied: .*ptrace permission/);
  }));

test("bad command lines exit 2", () => {
  for (
    const args of [["inspect"], ["inspect", "12x"], ["inspect", "1", "--yaml"], ["apply", "1", "--idle"], [
      "apply",
      "1",
      "extra",
    ]]
  ) {
    assert.is(kahook(args).status, 2, args.join(" "));
  }
});

test.run();
