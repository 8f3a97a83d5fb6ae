/**
 * The arm64 build of the interposer inside Node for Linux arm64 (from npm), run under
 * qemu-aarch64 on this x86_64 machine: the preload loads the addon and every socket of the
 * program reads back configured, from outside the process. And `kahook run`'s part on arm64 for
 * a musl C program: what that Node decides, and the program run with the variables it gives.
 * (Bun's and Deno's arm64 builds: test/native-clients.test.ts.)
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { inspectProcess } from "../../src/remote/process.ts";
import { assertConfigured, CONFIGURED_ENV } from "../_configured.ts";
import { startCommand } from "../_fixture.ts";
import { here, packageRoot, run, succeeded } from "../_run.ts";
import { ARM64_RUNTIMES, compile, platform, run as runOn } from "../_platforms.ts";
import { cli, PAIR_SOURCE, readPair, system } from "../_pair.ts";

const QEMU = "/usr/bin/qemu-aarch64";
/** Debian's aarch64 libc and loader, from the cross compiler's packages. */
const SYSROOT = "/usr/aarch64-linux-gnu";

if (process.arch === "x64") {
  test("Node for arm64 under qemu-aarch64, --require kahook/register: the arm64 interposer loads and configures listener, accepted socket and client", async () => {
    for (const path of [QEMU, ARM64_RUNTIMES.node, `${SYSROOT}/lib/ld-linux-aarch64.so.1`]) {
      assert.ok(
        existsSync(path),
        `${path} is missing: test/system-tools.sh installs qemu-user and gcc-aarch64-linux-gnu, npm run runtimes the arm64 Node (test/runtimes/platforms.sh)`,
      );
    }
    // The bundle `--require kahook/register` resolves to (package.json exports, "require").
    const register = `${packageRoot}dist/src/register.cjs`;
    const child = startCommand("arm64 hold", [
      QEMU,
      "-L",
      SYSROOT,
      ARM64_RUNTIMES.node,
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

  test("kahook run's part under Node for arm64: a musl PIE client is nothing in its way, and run with kahook env's variables its every socket reads back configured", () => {
    const musl = platform("musl-arm64");
    const dir = mkdtempSync(join(tmpdir(), "kahook-arm64-"));
    try {
      const program = join(dir, "pair");
      compile(musl.compiler, [PAIR_SOURCE], program, ["-pie", "-fPIE"]);
      const node = (args: string[]) => succeeded(run(QEMU, ["-L", SYSROOT, ARM64_RUNTIMES.node, ...args]));
      // What kahook run looks at before it preloads: the library for this arch, and the program.
      const looked = JSON.parse(node([
        "--input-type=module",
        "-e",
        `import { preloadLibraryPath } from "${packageRoot}dist/src/interposer/index.js";
         import { preloadObstacle } from "${packageRoot}dist/src/commands/executable.js";
         const library = preloadLibraryPath();
         console.log(JSON.stringify({ library, obstacle: preloadObstacle(${
          JSON.stringify(program)
        }, library) ?? null }));`,
      ]));
      assert.equal(looked, { library: `${packageRoot}native/build/linux-arm64/libkahook.so`, obstacle: null });
      const lines = node([cli, "env", "--idle", "11", "--interval", "7", "--count", "3", "--format", "env"]);
      const env = Object.fromEntries(lines.trim().split("\n").map((line) => line.split(/=(.*)/s).slice(0, 2)));
      assert.is(env.LD_PRELOAD, looked.library);
      const pair = readPair(succeeded(runOn(musl, program, [], { env })));
      // The user timeout derived: (11 + 7 × 3) × 1000 ms.
      const configured = [1, 11, 7, 3, 32_000, system[3]];
      assert.equal([pair.listener, pair.accepted, pair.client], [configured, configured, configured]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
