/**
 * Dead-peer detection on a connection the runtime's own fetch opened and keeps in its pool (Bun's
 * and Deno's native clients, undici under Node), configured only by the preload: the program has
 * no handle on the socket, so the test holds a duplicate of it (pidfd_getfd) and reads the
 * kernel's TCP state until the connection is closed. The server's end vanishes (it drops every
 * packet, src/deadpeer/filter.ts) while the connection is idle, or just before the program POSTs
 * over it. A control without the preload stays open. Every scenario starts at once.
 */
import net from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { listenLoopback, LOOPBACK, nextConnection } from "../src/deadpeer/connection.ts";
import { dropAllTraffic } from "../src/deadpeer/filter.ts";
import { loadLibc } from "../src/runtimes/libc.ts";
import { openProcess } from "../src/remote/pidfd.ts";
import { tcpSockets } from "../src/remote/proc.ts";
import { runtime } from "../src/host/host.ts";
import {
  assertDetected,
  GIVE_UP_MS,
  KEEPALIVE,
  KEEPALIVE_BOUND_MS,
  KEEPALIVE_ENV,
  PENDING_BYTES,
  start,
  USER_TIMEOUT_MS,
} from "./_deadpeer.ts";
import { type Child, startChild } from "./_fixture.ts";
import { NO_PRELOAD, PRELOADS } from "./_run.ts";
import { assertStillOpen, type KernelClosure, watchKernelClosure } from "./_watch.ts";

const IDLE_ENV = { ...KEEPALIVE_ENV, KAHOOK_MODE: "connect" };
/** Keepalive waits 60 s, so only the user timeout can end the connection in time. */
const BUSY_ENV = { TCP_USER_TIMEOUT: String(USER_TIMEOUT_MS), TCP_KEEPIDLE: "60", KAHOOK_MODE: "connect" };

interface Outcome {
  /** When the kernel closed the connection, ms after the server vanished, and the socket's pending error. */
  closure?: KernelClosure;
  /** The fixture's report on its POST, busy scenarios only. */
  request?: { event: string; error?: string; afterMs: number };
}

/** Answers the first request with a kept-alive 200; stops listening after one connection, so a retry is refused. */
function server(): net.Server {
  const server = net.createServer((socket) => {
    server.close();
    socket.once(
      "data",
      () =>
        socket.write(
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\nKeep-Alive: timeout=600\r\n\r\nok",
        ),
    );
  });
  return server;
}

/** Runs the fetch fixture with the runtime arguments and variables given, makes its server vanish and watches the connection. */
async function vanishUnderFetch(args: readonly string[], env: Record<string, string>, busy: boolean): Promise<Outcome> {
  const listener = server();
  const accepted = nextConnection(listener);
  const port = await listenLoopback(listener);
  const child: Child = startChild("fixtures/deadpeer/fetch", args, {
    ...env,
    FIXTURE_URL: `http://${LOOPBACK}:${port}/`,
    FIXTURE_MODE: busy ? "busy" : "idle",
    FIXTURE_BYTES: String(PENDING_BYTES),
  });
  const libc = loadLibc();
  const handle = openProcess(libc, child.pid);
  let copy: number | undefined;
  let peer: net.Socket | undefined;
  try {
    assert.equal(await child.next(), { event: "connected" });
    // The response was the connection's last traffic: the keepalive timer counts from about here.
    const lastTraffic = performance.now();
    peer = await accepted;
    const socket = tcpSockets(child.pid).find(({ remote }) => remote.endsWith(`:${port}`));
    assert.ok(socket, `the fixture holds no connection to port ${port}`);
    copy = handle.duplicate(socket.fd);
    assert.ok(copy !== undefined, "the fixture closed its connection before it could be watched");
    assert.is(socket.state, "ESTABLISHED", "the pooled connection");
    peer.on("error", () => {});
    dropAllTraffic(peer);
    // An idle connection's bound counts from its last traffic, a busy one's from the data sent once the peer vanished.
    const vanished = performance.now();
    assert.equal(await child.ask("vanished"), { event: "told" });
    const closure = await watchKernelClosure(copy, busy ? vanished : lastTraffic);
    return { closure, request: busy ? await child.next() : undefined };
  } finally {
    if (copy !== undefined) libc.close(copy);
    handle.close();
    peer?.destroy();
    listener.close();
    await child.stop();
  }
}

const preloaded = PRELOADS.map((preload) => ({
  name: preload.name,
  idle: start(() => vanishUnderFetch(preload.args, IDLE_ENV, false)),
  busy: start(() => vanishUnderFetch(preload.args, BUSY_ENV, true)),
}));
const control = start(() => vanishUnderFetch(NO_PRELOAD, IDLE_ENV, false));

for (const { name, idle, busy } of preloaded) {
  test(`${name}, ${runtime} fetch, idle pooled connection, server vanishes: closed with ETIMEDOUT after idle + interval × count`, async () => {
    const { closure } = await idle;
    assertDetected(`${name} idle fetch connection`, closure, KEEPALIVE_BOUND_MS);
    assert.is(closure?.probes, KEEPALIVE.count, "unanswered keepalive probes when the kernel closed it");
  });

  test(`${name}, ${runtime} fetch, POST over the pooled connection, server vanished: closed after TCP_USER_TIMEOUT and the request fails`, async () => {
    const { closure, request } = await busy;
    assertDetected(`${name} busy fetch connection`, closure, USER_TIMEOUT_MS);
    assert.ok(
      closure!.retransmits > 0 && closure!.probes === 0,
      `closed by retransmissions, not probes: ${JSON.stringify(closure)}`,
    );
    console.log(
      `${runtime} ${name} POST: ${request?.event} (${request?.error}) after ${
        ((request?.afterMs ?? 0) / 1000).toFixed(2)
      } s`,
    );
    assert.is(request?.event, "failed", `the POST was ${JSON.stringify(request)}`);
  });
}

test(`control: without the preload, ${runtime} fetch's idle connection is still open ${GIVE_UP_MS / 1000} s after the server vanished`, async () => {
  const { closure } = await control;
  assertStillOpen(closure, "without the preload");
});

test.run();
