/** inspect and apply, run against a child process, agree with getsockopt run inside that child. */
import { readdirSync } from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { processError } from "../src/remote/pidfd.ts";
import { applyToProcess, inspectProcess } from "../src/remote/process.ts";
import { TCP_STATES } from "../src/sys/tcp-info.ts";
import { fails } from "./_fails.ts";
import { startChild, withHolder } from "./_fixture.ts";

const byName = <T extends { local: string; remote: string }>(sockets: T[]) =>
  Object.fromEntries(sockets.map((socket) => [`${socket.local} ${socket.remote}`, socket]));
const [EPERM, ENOSYS] = [1, 38];
const openFds = () => readdirSync("/proc/self/fd").length;

test("inspect lists the child's three sockets with the options getsockopt reads inside it", () =>
  withHolder(async (child, ready) => {
    const inside = await child.ask("read");
    const fdsBefore = openFds();
    const outside = byName(inspectProcess(child.pid));
    assert.is(openFds(), fdsBefore, "every duplicated fd is closed");
    assert.equal(Object.keys(outside).sort(), [...ready].sort());
    for (const name of ready) {
      assert.equal(outside[name].options, inside[name], name);
      assert.is(TCP_STATES[outside[name].info.state], outside[name].state, `${name}: TCP_INFO and /proc agree`);
    }
    assert.is(outside[ready[0]].state, "LISTEN");
    assert.is(outside[ready[1]].options.idle, 21_000);
  }));

test("apply sets the options in the child: its own getsockopt and inspect read them back", () =>
  withHolder(async (child, ready) => {
    const options = { enable: true, idle: 42_000, interval: 6_000, count: 4, userTimeout: 50_000 };
    const reports = byName(applyToProcess(child.pid, options));
    const inside = await child.ask("read");
    const outside = byName(inspectProcess(child.pid));
    assert.equal(Object.keys(reports).sort(), [...ready].sort());
    for (const name of ready) {
      assert.is(reports[name].error, undefined, name);
      assert.equal(reports[name].options, inside[name], name);
      assert.equal(outside[name].options, inside[name], name);
      for (const [option, value] of Object.entries(options)) {
        assert.is(inside[name][option], value, `${name}: ${option}`);
      }
    }
  }));

test("apply validates the options before touching any socket", () =>
  withHolder(async (child) => {
    const before = await child.ask("read");
    assert.throws(() => applyToProcess(child.pid, { enable: true, idle: 5_000, count: 0 }), /invalid count: 0/);
    assert.equal(await child.ask("read"), before);
  }));

test("a process that is gone: ESRCH, named", async () => {
  const child = startChild("fixtures/remote/holder");
  await child.next();
  await child.stop();
  const { message } = fails(() => inspectProcess(child.pid), { errno: "ESRCH" });
  assert.match(message, /^pidfd_open\(\d+\) failed: no such process$/);
});

test("a kernel without pidfd_getfd (ENOSYS) and a denied caller (EPERM) each get their own advice", () => {
  const tooOld = processError("pidfd_open", "pidfd_open(1)", ENOSYS);
  assert.is(tooOld.code, "KAHOOK_ERR_UNSUPPORTED_PLATFORM");
  assert.is(
    tooOld.message,
    "pidfd_open(1) failed: this kernel lacks pidfd_open/pidfd_getfd, which need Linux 5.6 or later",
  );
  const denied = processError("pidfd_getfd", "pidfd_getfd(1, fd 3)", EPERM);
  assert.is(denied.code, "KAHOOK_ERR_SYSCALL");
  assert.is(denied.errno, "EPERM");
  assert.match(denied.message, /^pidfd_getfd\(1, fd 3\) failed: permission denied: .*ptrace permission/);
});

test.run();
