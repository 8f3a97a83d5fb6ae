/**
 * The dead-peer scenarios with the program under test setting no option itself: a client or a
 * server in a child process, configured only by the preload (each of this runtime's forms, test/_run's
 * PRELOADS) from libkeepalive's variables. Its peer, in this process, vanishes (its socket
 * drops every packet, src/deadpeer/filter.ts). Every scenario starts at once and each test awaits
 * its own, so the file takes about as long as the longest scenario plus the children's start-up.
 * The children time their socket from the moment they are told their peer vanished.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runtime } from "../src/host/host.ts";
import { vanishWithChildClient, vanishWithChildServer } from "./_child.ts";
import {
  assertDetected,
  GIVE_UP_MS,
  KEEPALIVE_BOUND_MS,
  KEEPALIVE_ENV,
  PENDING_BYTES,
  start,
  USER_TIMEOUT_MS,
} from "./_deadpeer.ts";
import { NO_PRELOAD, PRELOADS } from "./_run.ts";

const IDLE_CLIENT_ENV = { ...KEEPALIVE_ENV, KAHOOK_MODE: "connect" };
/** In ms, as libkeepalive has it; keepalive waits 60 s idle, so it cannot be what ends the connection. */
const BUSY_CLIENT_ENV = { TCP_USER_TIMEOUT: String(USER_TIMEOUT_MS), TCP_KEEPIDLE: "60", KAHOOK_MODE: "connect" };
const SERVER_ENV = { ...KEEPALIVE_ENV, KAHOOK_MODE: "listen" };

const preloaded = PRELOADS.map((preload) => {
  const scenario = { runtimeArgs: preload.args, deadlineMs: GIVE_UP_MS };
  return {
    name: preload.name,
    idleClient: start(() => vanishWithChildClient({ ...scenario, env: IDLE_CLIENT_ENV })),
    busyClient: start(() => vanishWithChildClient({ ...scenario, env: BUSY_CLIENT_ENV, pendingBytes: PENDING_BYTES })),
    idleServer: start(() => vanishWithChildServer({ ...scenario, env: SERVER_ENV })),
  };
});
// The same client with the same variables, without the preload: asked to report once every preloaded idle client has ended.
const control = start(() =>
  vanishWithChildClient({
    runtimeArgs: NO_PRELOAD,
    env: IDLE_CLIENT_ENV,
    deadlineMs: GIVE_UP_MS,
    reportWhen: Promise.allSettled(preloaded.map(({ idleClient }) => idleClient)),
  })
);

for (const { name, idleClient, busyClient, idleServer } of preloaded) {
  test(`${name}, idle client (KAHOOK_MODE=connect), server vanishes: ETIMEDOUT after idle + interval × count`, async () => {
    assertDetected(`${name} idle client`, closed(await idleClient), KEEPALIVE_BOUND_MS);
  });

  test(`${name}, client with unacknowledged data, server vanishes: ETIMEDOUT after TCP_USER_TIMEOUT`, async () => {
    assertDetected(`${name} busy client`, closed(await busyClient), USER_TIMEOUT_MS);
  });

  test(`${name}, server (KAHOOK_MODE=listen), client vanishes: the accepted socket ends with ETIMEDOUT in the bound`, async () => {
    assertDetected(`${name} idle server`, closed(await idleServer), KEEPALIVE_BOUND_MS);
  });
}

test("control: the same client and variables without the preload is still open when every preloaded idle client has closed", async () => {
  for (const [index, { idleClient }] of preloaded.entries()) {
    assert.is(
      (await idleClient).event,
      "closed",
      `the idle client under ${PRELOADS[index].name} never closed, so the control shows nothing`,
    );
  }
  const report = await control;
  console.log(`${runtime} control: ${report.event} ${(report.afterMs / 1000).toFixed(2)} s after the peer vanished`);
  assert.is(
    report.event,
    "open",
    `without the preload, the client closed with ${report.code} after ${(report.afterMs / 1000).toFixed(2)} s`,
  );
});

test.run();

/** The report as a closure for assertDetected; undefined if the child's socket was still open. */
function closed(report: { event: "closed" | "open"; afterMs: number; code?: string }) {
  return report.event === "closed" ? report : undefined;
}
