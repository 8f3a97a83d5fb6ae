/** The option table is data transcribed from C headers: check it against them, and against the kernel. */
import net from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { leaseFd } from "../src/fd/index.ts";
import { loadLibc } from "../src/runtimes/libc.ts";
import { currentPlatform, errnoName } from "../src/sys/index.ts";
import { linux } from "../src/sys/linux.ts";
import { listen } from "./_loopback.ts";
import { nativeJson } from "./_native.ts";

test("the Linux option table equals the C headers", () => {
  assert.is(currentPlatform(), linux);
  const header = nativeJson("sockopts") as Record<string, number>;
  for (const [option, spec] of Object.entries(linux.options)) {
    assert.is(spec.name, header[spec.constant], `${option}: ${spec.constant}`);
    const level = spec.constant.startsWith("SO_") ? "SOL_SOCKET" : "IPPROTO_TCP";
    assert.is(spec.level, header[level], `${option}: level ${level}`);
  }
});

// Options whose bounds the kernel enforces with EINVAL (the others are clamped or rounded).
const ENFORCED = ["idle", "interval", "count", "synCount", "maxSegment"] as const;

test("the table's ranges are the kernel's: min and max are taken, one beyond is EINVAL", async () => {
  const libc = loadLibc();
  const server = await listen(net.createServer());
  const lease = leaseFd(server, libc);
  const socketFd = lease.fd;
  try {
    for (const option of ENFORCED) {
      const { level, name, min, max, constant } = linux.options[option]!;
      assert.is(libc.setsockopt(socketFd, level, name, min), 0, `${constant} = ${min}`);
      assert.is(libc.setsockopt(socketFd, level, name, max), 0, `${constant} = ${max}`);
      assert.is(
        errnoName(linux, libc.setsockopt(socketFd, level, name, min - 1)),
        "EINVAL",
        `${constant} = ${min - 1}`,
      );
      assert.is(
        errnoName(linux, libc.setsockopt(socketFd, level, name, max + 1)),
        "EINVAL",
        `${constant} = ${max + 1}`,
      );
    }
    const timeout = linux.options.userTimeout!;
    assert.is(errnoName(linux, libc.setsockopt(socketFd, timeout.level, timeout.name, -1)), "EINVAL");
  } finally {
    lease.release();
    server.close();
  }
});

test.run();
