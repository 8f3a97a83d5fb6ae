/**
 * The options that must be set before connect(2) to act, on this runtime's own fetch under the
 * preload: TCP_MAXSEG shrinks the MSS the SYN announces (the server's accepted socket reads it
 * back), and TCP_SYNCNT ends a connect whose SYNs go unanswered after that many retransmissions
 * (1 s + 2 s for TCP_SYNCNT=1, where the kernel's default of 6 waits 127 s). Each has a control
 * without the preload.
 */
import net from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { getKeepAlive } from "../src/api/keepalive.ts";
import { listenLoopback, LOOPBACK, nextConnection } from "../src/deadpeer/connection.ts";
import { dropAllTraffic } from "../src/deadpeer/filter.ts";
import { runtime } from "../src/host/host.ts";
import { startChild } from "./_fixture.ts";
import { NO_PRELOAD, PRELOADS } from "./_run.ts";

const MAXSEG = 1000;
/** TCP_SYNCNT=1: the SYN and one retransmission 1 s later, given up 2 s after that (the doubled RTO). */
const SYN_GIVE_UP_MS = 3_000;
const SYN_LATE_MS = 2_000;
const preload = PRELOADS[0];

/** The MSS of the server's end of a fetch the fixture makes with the runtime arguments and variables given. */
async function acceptedSegment(args: readonly string[], env: Record<string, string>): Promise<number | undefined> {
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    socket.once("data", () => socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"));
  });
  const accepted = nextConnection(server);
  const port = await listenLoopback(server);
  const child = startChild("fixtures/deadpeer/fetch", args, {
    ...env,
    FIXTURE_URL: `http://${LOOPBACK}:${port}/`,
    FIXTURE_MODE: "idle",
  });
  try {
    assert.equal(await child.next(), { event: "connected" });
    const socket = await accepted;
    const { maxSegment } = getKeepAlive(socket);
    socket.destroy();
    return maxSegment;
  } finally {
    await child.stop();
    server.close();
  }
}

/** How a fetch ends whose server's listener drops every packet, SYNs included. */
async function unansweredFetch(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ event: string; error?: string; afterMs?: number }> {
  const server = net.createServer();
  const port = await listenLoopback(server);
  dropAllTraffic(server);
  const child = startChild("fixtures/clients/unanswered", args, {
    ...env,
    FIXTURE_URL: `http://${LOOPBACK}:${port}/`,
    FIXTURE_DEADLINE_MS: String(SYN_GIVE_UP_MS + SYN_LATE_MS + 1_000),
  });
  try {
    return await child.next();
  } finally {
    await child.stop();
    server.close();
  }
}

test(`${preload.name}, ${runtime} fetch, TCP_MAXSEG=${MAXSEG}: the server's accepted socket uses an MSS of at most ${MAXSEG}; without the preload, more`, async () => {
  const env = { KAHOOK_MODE: "connect", TCP_MAXSEG: String(MAXSEG) };
  const [configured, plain] = await Promise.all([acceptedSegment(preload.args, env), acceptedSegment(NO_PRELOAD, env)]);
  assert.ok(configured !== undefined && configured <= MAXSEG, `with the preload: ${configured}`);
  assert.ok(plain !== undefined && plain > MAXSEG, `without: ${plain}`);
});

test(`${preload.name}, ${runtime} fetch, TCP_SYNCNT=1, SYNs unanswered: the fetch fails after ${SYN_GIVE_UP_MS / 1000} s; without the preload it still waits`, async () => {
  // TCP_USER_TIMEOUT, when set, bounds the SYN retransmissions in its place (tcp_write_timeout): 0 leaves it unset.
  const env = { KAHOOK_MODE: "connect", TCP_SYNCNT: "1", TCP_USER_TIMEOUT: "0" };
  const [configured, plain] = await Promise.all([unansweredFetch(preload.args, env), unansweredFetch(NO_PRELOAD, env)]);
  console.log(`${runtime}: with the preload ${JSON.stringify(configured)}, without ${JSON.stringify(plain)}`);
  assert.is(configured.event, "failed", `with the preload: ${JSON.stringify(configured)}`);
  assert.ok(
    configured.afterMs! >= SYN_GIVE_UP_MS - 500 && configured.afterMs! <= SYN_GIVE_UP_MS + SYN_LATE_MS,
    `with the preload the fetch failed after ${configured.afterMs} ms`,
  );
  assert.is(plain.event, "pending", `without the preload: ${JSON.stringify(plain)}`);
});

test.run();
