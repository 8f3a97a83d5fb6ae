import { closeSync, openSync, readdirSync, readlinkSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { getKeepAlive, setKeepAlive, type Target } from "../mod.ts";
import { leaseFd } from "../src/fd/index.ts";
import { loadLibc } from "../src/runtimes/libc.ts";
import { fails } from "./_fails.ts";
import { listen, tcpPair } from "./_loopback.ts";

test("an fd that is not open: EBADF from getsockopt, naming the option", () => {
  // Far above any fd limit, so no other open can reuse it between our close and our call.
  const fd = 2 ** 31 - 1;
  const error = fails(() => getKeepAlive(fd), {
    code: "KAHOOK_ERR_SYSCALL",
    errno: "EBADF",
    syscall: "getsockopt",
    option: "enable",
  });
  assert.match(error.message, /getsockopt\(fd \d+, SO_KEEPALIVE\) failed for enable: EBADF/);
});

test("a file that is not a socket: ENOTSOCK from setsockopt", () => {
  const fd = openSync(tmpdir(), "r");
  try {
    fails(() => setKeepAlive(fd, { idle: 5_000 }), {
      code: "KAHOOK_ERR_SYSCALL",
      errno: "ENOTSOCK",
      syscall: "setsockopt",
      option: "idle",
    });
  } finally {
    closeSync(fd);
  }
});

test("a TCP option on a unix-domain socket: the kernel's errno, named", async () => {
  const path = join(tmpdir(), `kahook-${process.pid}.sock`);
  const server = await new Promise<net.Server>((resolve) => {
    const s = net.createServer().listen(path, () => resolve(s));
  });
  try {
    const error = fails(() => setKeepAlive(server, { idle: 5_000 }), {
      code: "KAHOOK_ERR_SYSCALL",
      syscall: "setsockopt",
      option: "idle",
    });
    assert.ok(["EOPNOTSUPP", "ENOPROTOOPT"].includes(error.errno!), error.errno);
  } finally {
    server.close();
  }
});

test("invalid options are rejected before any system call", async () => {
  const pair = await tcpPair();
  try {
    const before = getKeepAlive(pair.client);
    fails(() => setKeepAlive(pair.client, { enable: true, idle: 30_000, count: 0 }), {
      code: "KAHOOK_ERR_INVALID_OPTION",
      option: "count",
    });
    assert.equal(getKeepAlive(pair.client), before, "nothing was set");
  } finally {
    pair.close();
  }
});

test("a socket that is not connected yet, or is closed, has no fd", async () => {
  fails(() => setKeepAlive(new net.Socket(), { idle: 5_000 }), { code: "KAHOOK_ERR_NO_FD" });
  const pair = await tcpPair();
  pair.close();
  fails(() => getKeepAlive(pair.client), { code: "KAHOOK_ERR_NO_FD" });
  const server = net.createServer();
  fails(() => getKeepAlive(server), { code: "KAHOOK_ERR_NO_FD" });
});

test("targets that are neither socket, server nor fd", () => {
  for (const target of [-1, 1.5, "3", null, {}, []]) {
    fails(() => getKeepAlive(target as unknown as Target), { code: "KAHOOK_ERR_INVALID_TARGET" });
  }
});

test("reading and setting leaves no fd behind (Deno reaches the fd through a dup)", async () => {
  const pair = await tcpPair();
  const server = await listen(net.createServer());
  try {
    // Count the fds open on these two sockets only: the runtime opens and closes fds of its own meanwhile.
    const libc = loadLibc();
    const sockets = [pair.client, server].map((target) => {
      const lease = leaseFd(target, libc);
      try {
        return readlinkSync(`/proc/self/fd/${lease.fd}`);
      } finally {
        lease.release();
      }
    });
    const openOnSockets = () =>
      readdirSync("/proc/self/fd").filter((fd) => {
        try {
          return sockets.includes(readlinkSync(`/proc/self/fd/${fd}`));
        } catch {
          return false; // closed while listing
        }
      }).length;
    const before = openOnSockets();
    assert.ok(before >= 2, `the two sockets are open (${before} fds)`);
    for (let i = 0; i < 200; i++) {
      setKeepAlive(pair.client, { idle: 5_000 + i * 1000 });
      getKeepAlive(pair.client);
      getKeepAlive(server);
    }
    assert.is(openOnSockets(), before);
  } finally {
    pair.close();
    server.close();
  }
});

test.run();
