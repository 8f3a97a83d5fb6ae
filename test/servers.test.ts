/**
 * The real servers the driver tests use (test/_servers.ts, _postgres.ts, _redis.ts): Debian's PostgreSQL and Redis start
 * on a free loopback port, answer the first exchange of their protocol on a raw socket, and once
 * stopped their process is gone, their port closed and their directory removed. A server that is
 * not installed fails the test with the Debian package's name; one that cannot start stops those
 * started with it.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Buffer } from "node:buffer";
import { existsSync } from "node:fs";
import net from "node:net";
import process from "node:process";
import { runtime } from "../src/host/host.ts";
import { findPostgres, startPostgres } from "./_postgres.ts";
import { startRedis } from "./_redis.ts";
import { childPids, exchange, findCommand, HOST, type RunningServer, startAll } from "./_servers.ts";

const ANSWER_TIMEOUT_MS = 5_000;
/** PostgreSQL starts in about 1.5 s (test/_servers.ts); a start that fails must not take the start-up timeout. */
const START_FAILURE_SECONDS = 10;

/** The error code of a connection attempt to the port ("ECONNREFUSED" once closed), or "connected". */
function connectOutcome(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, HOST);
    socket.once("connect", () => (socket.destroy(), resolve("connected")));
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function assertStopped(server: RunningServer): Promise<void> {
  await server.stop();
  assert.not.ok(alive(server.pid), `pid ${server.pid} still runs`);
  assert.is(await connectOutcome(server.port), "ECONNREFUSED");
  assert.not.ok(existsSync(server.dir), `${server.dir} left behind`);
  await server.stop(); // a second stop is harmless
}

test("redis-server: PING on a raw socket answers +PONG; stopped, its port is closed", async () => {
  const server = await startRedis();
  try {
    assert.is(server.url, `redis://${HOST}:${server.port}`);
    const answer = await exchange(server.port, Buffer.from("PING\r\n"), (received) => received.includes("\r\n"), {
      timeoutMs: ANSWER_TIMEOUT_MS,
    });
    assert.is(answer.toString("latin1"), "+PONG\r\n");
  } finally {
    await assertStopped(server);
  }
  console.log(
    `${runtime}: redis-server answered on port ${server.port} ${server.startupMs.toFixed(0)} ms after the start`,
  );
});

test("postgres: an SSLRequest on a raw socket answers the single byte 'N'; stopped, its port is closed", async () => {
  const server = await startPostgres();
  try {
    assert.is(server.url, `postgres://postgres@${HOST}:${server.port}/postgres`);
    // SSLRequest: int32 length 8, int32 code 80877103 (1234 << 16 | 5679). No certificate configured: 'N'.
    const request = Buffer.alloc(8);
    request.writeInt32BE(8, 0);
    request.writeInt32BE(80877103, 4);
    const answer = await exchange(server.port, request, (received) => received.length >= 1, {
      timeoutMs: ANSWER_TIMEOUT_MS,
    });
    assert.is(answer.toString("latin1"), "N");
  } finally {
    await assertStopped(server);
  }
  console.log(
    `${runtime}: postgres answered on port ${server.port} ${
      server.startupMs.toFixed(0)
    } ms after the start (initdb included)`,
  );
});

test("two of each at once: each its own port and directory, each answering", async () => {
  const servers = await startAll([startPostgres(), startPostgres(), startRedis(), startRedis()]);
  try {
    assert.is(new Set(servers.map((server) => server.port)).size, servers.length);
    assert.is(new Set(servers.map((server) => server.dir)).size, servers.length);
    for (const server of servers) assert.is(await connectOutcome(server.port), "connected");
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
  for (const server of servers) assert.not.ok(alive(server.pid), `pid ${server.pid} still runs`);
});

test("a server that cannot start while others start: the others are stopped, within seconds", async () => {
  const started = performance.now();
  // A wrapper that does not exist fails at its spawn, as a server binary that is missing would.
  const failed = startRedis({ wrapper: ["/nonexistent/kahook-no-such-command"] });
  const outcome = await startAll([startPostgres(), failed, startRedis()]).then(() => "started", String);
  assert.match(outcome, /redis-server could not start: .*ENOENT/);
  assert.equal(childPids(process.pid), [], "processes this file started still run");
  const seconds = (performance.now() - started) / 1000;
  assert.ok(seconds < START_FAILURE_SECONDS, `${seconds.toFixed(1)} s`);
});

test("a server that is not installed is an error naming its Debian package", () => {
  assert.throws(() => findPostgres("/nonexistent/postgresql"), /install the Debian package postgresql\b/);
  assert.throws(
    () => findCommand("kahook-no-such-server", "redis-server", "/nonexistent"),
    /install the Debian package redis-server\b/,
  );
});

test.run();
