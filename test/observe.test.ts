/**
 * The kahook:socket channel publishes each socket kahook configures and each failure: the
 * JavaScript hooks' as they configure them, the interposer's within a drain of its ring; stats()
 * counts them all, by direction.
 */
import diagnostics from "node:diagnostics_channel";
import { once } from "node:events";
import net from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { install, KahookError, SOCKET_CHANNEL, type SocketEvent, stats, uninstall } from "../mod.ts";
import { EVENT_DRAIN_MS } from "../src/observe/channel.ts";
import { socketsFor } from "../src/fallback/configure.ts";
import { SocketPlan } from "../src/config/plan.ts";
import { compileOptions } from "../src/config/options.ts";

const CLIENTS = 3;
const options = { enable: true, idle: 21_000, count: 4 };

/** A loopback server and CLIENTS clients, each closed once connected. */
async function serveClients(): Promise<void> {
  const server = net.createServer((socket) => socket.destroy()).listen(0, "127.0.0.1");
  await once(server, "listening");
  for (let i = 0; i < CLIENTS; i++) {
    const client = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
    await once(client, "connect");
    client.destroy();
  }
  server.close();
}

/** Runs work with a subscriber on `kahook:socket`, which it may watch fill; the events it got. */
async function collecting(work: (events: readonly SocketEvent[]) => unknown): Promise<SocketEvent[]> {
  const events: SocketEvent[] = [];
  const collect = (message: unknown) => events.push(message as SocketEvent);
  diagnostics.subscribe(SOCKET_CHANNEL, collect);
  try {
    await work(events);
  } finally {
    diagnostics.unsubscribe(SOCKET_CHANNEL, collect);
  }
  return events;
}

/** serveClients' events, in order: the listener's, then each client's, with the options set. */
function assertServed(events: SocketEvent[]): void {
  assert.equal(events.map((event) => event.label), ["server", ...Array(CLIENTS).fill("client")]);
  for (const event of events) {
    assert.ok(event.fd >= 0);
    assert.equal(event.settings, { SO_KEEPALIVE: 1, TCP_KEEPIDLE: 21, TCP_KEEPCNT: 4 });
    assert.is(event.error, undefined);
  }
}

test("one event per listener and per client, with the options set; stats() counts them", async () => {
  const before = stats();
  install({ options, interposer: false });
  try {
    assertServed(await collecting(serveClients));
  } finally {
    uninstall();
  }
  assert.equal(stats(), {
    ...before,
    configured: before.configured + 1 + CLIENTS,
    clients: before.clients + CLIENTS,
    listeners: before.listeners + 1,
  });
});

test("a failure is published with its KahookError and counted", async () => {
  const before = stats();
  const notAnFd = 1_000_000;
  const events = await collecting(() =>
    socketsFor(new SocketPlan({ options })).configure({ fd: notAnFd }, "client", compileOptions(options))
  );
  assert.is(events.length, 1);
  assert.is(events[0].fd, notAnFd);
  assert.instance(events[0].error, KahookError);
  assert.is(events[0].error!.errno, "EBADF");
  assert.equal(stats(), { ...before, failed: before.failed + 1 });
});

test("nobody subscribed: the sockets are still counted", async () => {
  const before = stats();
  install({ options, interposer: false });
  try {
    const server = net.createServer().listen(0, "127.0.0.1");
    await once(server, "listening");
    server.close();
  } finally {
    uninstall();
  }
  assert.is(stats().configured, before.configured + 1);
});

test("with the interposer, kahook:socket carries one event per socket it configured, within a drain; stats() counts them", async () => {
  const before = stats();
  install({ options });
  try {
    const events = await collecting(async (published) => {
      await serveClients();
      // The ring is drained every EVENT_DRAIN_MS: wait for a few drains at most.
      for (let waited = 0; published.length < 1 + CLIENTS && waited < 5 * EVENT_DRAIN_MS; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    assertServed(events);
  } finally {
    uninstall();
  }
  const after = stats();
  const added = (key: "configured" | "clients" | "listeners" | "failed") => after[key] - before[key];
  assert.equal([added("configured"), added("clients"), added("listeners"), added("failed")], [
    1 + CLIENTS,
    CLIENTS,
    1,
    0,
  ]);
});

test.run();
