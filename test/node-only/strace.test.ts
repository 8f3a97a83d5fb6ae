import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { selfSignedCert } from "../_cert.ts";
import { CONFIGURED_ENV } from "../_configured.ts";
import { here, PRELOAD_FLAGS, run, succeeded } from "../_run.ts";

/** The options CONFIGURED_ENV sets, in kahook's order, as strace names them. */
const KAHOOK_OPTIONS = [
  "SO_KEEPALIVE",
  "TCP_KEEPIDLE",
  "TCP_KEEPINTVL",
  "TCP_KEEPCNT",
  "TCP_USER_TIMEOUT",
  "TCP_SYNCNT",
  "TCP_MAXSEG",
  "TCP_WINDOW_CLAMP",
];
const KAHOOK = KAHOOK_OPTIONS.join(" ");
const CONNECTIONS = 5;

/**
 * The life of each socket in a trace, from the socket() or accept4() that returned its fd,
 * as the calls made on it; a setsockopt of one of kahook's options appears as the option:
 * "socket SO_KEEPALIVE TCP_KEEPIDLE ... connect". The runtime's other options are left out.
 */
function lives(trace: string): string[] {
  const all: string[][] = [];
  const open = new Map<number, string[]>();
  for (const line of trace.split("\n")) {
    const call = /^\d+\s+(\w+)\((\d+)?(?:, \w+, (\w+))?.*\)\s+= (-?\d+)/.exec(line);
    if (!call) continue;
    const [, name, fd, option = "", result] = call;
    if (name === "socket" || name === "accept4") {
      const life = [name];
      open.set(Number(result), life);
      all.push(life);
    } else if (name !== "setsockopt") open.get(Number(fd))?.push(name);
    else if (KAHOOK_OPTIONS.includes(option)) open.get(Number(fd))?.push(option);
  }
  return all.map((life) => life.join(" "));
}

function traced(args: string[], env: Record<string, string>): string[] {
  const output = join(tmpdir(), `kahook-strace-${process.pid}.txt`);
  try {
    const syscalls = "trace=socket,connect,listen,accept4,setsockopt";
    succeeded(run("strace", ["-f", "-qq", "-e", syscalls, "-o", output, process.execPath, ...args], env));
    return lives(readFileSync(output, "utf8"));
  } finally {
    rmSync(output, { force: true });
  }
}

for (const flag of PRELOAD_FLAGS) {
  test(`${flag}: setsockopt before listen(2) and connect(2), none per accepted connection`, () => {
    const seen = traced(
      [flag, "kahook/register", here("fixtures/strace/connections"), String(CONNECTIONS)],
      CONFIGURED_ENV,
    );
    const expected = [
      `socket ${KAHOOK} listen`,
      ...Array<string>(CONNECTIONS).fill(`socket ${KAHOOK} connect`),
      ...Array<string>(CONNECTIONS).fill("accept4"),
    ];
    assert.equal(seen.sort(), expected.sort());
  });
}

test("every path: the options precede each connect(2) and listen(2); accepted sockets get none", () => {
  const seen = traced(["--import", "kahook/register", here("fixtures/paths/paths")], {
    ...CONFIGURED_ENV,
    ...selfSignedCert(),
  });
  const clients = seen.filter((life) => life.includes("connect"));
  const listeners = seen.filter((life) => life.includes("listen"));
  const accepted = seen.filter((life) => life.startsWith("accept4"));
  // 14 client paths plus the refused ::1 attempt of happy eyeballs, and a worker thread's node:net
  // client and fetch; 4 servers and the worker's.
  assert.is(clients.length, 17, `client sockets: ${seen.join("; ")}`);
  assert.is(listeners.length, 5, "listening sockets");
  assert.is(accepted.length, 16, "accepted sockets");
  // fetch and undici call setKeepAlive before the socket exists; libuv then sets its own keepalive
  // options when the handle takes kahook's socket, and kahook's follow, so they are the last word.
  for (const life of clients) {
    assert.match(life, new RegExp(`^socket( SO_KEEPALIVE TCP_\\w+ TCP_\\w+ TCP_\\w+)? ${KAHOOK} connect`));
  }
  for (const life of listeners) assert.is(life, `socket ${KAHOOK} listen`);
  for (const life of accepted) assert.is(life, "accept4");
});

test("without the preload, no option is set before connect(2)", () => {
  const seen = traced([here("fixtures/strace/connections"), String(CONNECTIONS)], CONFIGURED_ENV);
  assert.equal(seen.filter((life) => life !== "socket connect" && life !== "socket listen" && life !== "accept4"), []);
});

test.run();
