/**
 * The arm64 build of the interposer inside Node for Linux arm64 (from npm), run under
 * qemu-aarch64 on this x86_64 machine: the preload loads the addon and every socket of the
 * program reads back configured, from outside the process.
 */
import { existsSync } from "node:fs";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { inspectProcess } from "../../src/remote/process.ts";
import { assertConfigured, CONFIGURED_ENV } from "../_configured.ts";
import { startCommand } from "../_fixture.ts";
import { here, packageRoot } from "../_run.ts";
import { NODE_ARM64 } from "../_runtimes.ts";

const QEMU = "/usr/bin/qemu-aarch64";
/** Debian's aarch64 libc and loader, from the cross compiler's packages. */
const SYSROOT = "/usr/aarch64-linux-gnu";

if (process.arch === "x64") {
  test("Node for arm64 under qemu-aarch64, --require kahook/register: the arm64 interposer loads and configures listener, accepted socket and client", async () => {
    for (const path of [QEMU, NODE_ARM64, `${SYSROOT}/lib/ld-linux-aarch64.so.1`]) {
      assert.ok(
        existsSync(path),
        `${path} is missing: test/system-tools.sh installs qemu-user and gcc-aarch64-linux-gnu, npm run runtimes the arm64 Node`,
      );
    }
    // The bundle `--require kahook/register` resolves to (package.json exports, "require").
    const register = `${packageRoot}dist/src/register.cjs`;
    const child = startCommand("arm64 hold", [
      QEMU,
      "-L",
      SYSROOT,
      NODE_ARM64,
      "--require",
      register,
      here("fixtures/arm64/hold"),
    ], CONFIGURED_ENV);
    try {
      const ready = await child.next();
      assert.is(ready.arch, "arm64");
      assert.ok(ready.stats.configured >= 2, `the interposer's counts: ${JSON.stringify(ready.stats)}`);
      const sockets = inspectProcess(child.pid);
      const roles = sockets.map((
        { state, local },
      ) => (state === "LISTEN" ? "listener" : local.endsWith(`:${ready.port}`) ? "accepted" : "client"));
      assert.equal([...roles].sort(), ["accepted", "client", "listener"]);
      sockets.forEach(({ options }, index) =>
        assertConfigured({ path: "arm64 Node", role: roles[index], state: options }, false)
      );
    } finally {
      await child.stop();
    }
  });
}

test.run();
