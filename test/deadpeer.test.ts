/**
 * A peer vanishes (its socket drops every packet it receives, src/deadpeer/filter.ts), and the
 * options set through the API bound how long the other end takes to notice. The scenarios are
 * independent, so they all start at once and each test awaits its own: the file takes about as
 * long as the longest scenario (≈ 3 s). Each test logs what it measured.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { type Closure, within } from "../src/deadpeer/closure.ts";
import { vanishingConnection, type VanishingOptions } from "../src/deadpeer/connection.ts";
import { recordTimeline, type Sample } from "./_timeline.ts";
import { runtime } from "../src/host/host.ts";
import { vanishWithChildClient } from "./_child.ts";
import {
  assertDetected,
  GIVE_UP_MS,
  KEEPALIVE,
  KEEPALIVE_BOUND_MS,
  PENDING_BYTES,
  start,
  USER_TIMEOUT_MS,
} from "./_deadpeer.ts";

const SAMPLE_EVERY_MS = 100;

interface Watched {
  closure: Closure | undefined;
  samples: Sample[];
}

/** Makes one end vanish and waits (bounded) for the other to notice, sampling its TCP_INFO. */
async function watch(options: VanishingOptions): Promise<Watched> {
  const connection = await vanishingConnection(options);
  const timeline = recordTimeline(connection, SAMPLE_EVERY_MS);
  try {
    return { closure: await within(connection.closed, GIVE_UP_MS), samples: timeline.samples };
  } finally {
    timeline.stop();
    connection.close();
  }
}

const idleClient = start(() => watch({ vanishes: "server", options: KEEPALIVE }));
const busyClient = start(() =>
  watch({ vanishes: "server", options: { userTimeout: USER_TIMEOUT_MS }, pendingBytes: PENDING_BYTES })
);
const idleServer = start(() => watch({ vanishes: "client", options: KEEPALIVE }));
const childClient = start(() => vanishWithChildClient({ options: KEEPALIVE, deadlineMs: GIVE_UP_MS }));
const control = start(async () => {
  const connection = await vanishingConnection({ vanishes: "server" });
  try {
    const { closure } = await idleClient;
    return {
      kahookClosedAfterMs: closure?.afterMs,
      info: connection.info(),
      afterMs: performance.now() - connection.since,
    };
  } finally {
    connection.close();
  }
});

const most = (samples: Sample[], field: "probes" | "retransmits") => Math.max(0, ...samples.map((s) => s.info[field]));

test("idle client, server vanishes: ETIMEDOUT after idle + interval × count, once count probes went unanswered", async () => {
  const { closure, samples } = await idleClient;
  assertDetected("idle client", closure, KEEPALIVE_BOUND_MS);
  assert.is(most(samples, "probes"), KEEPALIVE.count, "unanswered keepalive probes seen in TCP_INFO");
});

test("client with unacknowledged data, server vanishes: ETIMEDOUT after TCP_USER_TIMEOUT", async () => {
  const { closure, samples } = await busyClient;
  assertDetected("busy client", closure, USER_TIMEOUT_MS);
  assert.ok(most(samples, "retransmits") >= 1, "retransmissions seen in TCP_INFO");
  assert.is(most(samples, "probes"), 0, "no keepalive probe: data was in flight");
});

test("control: without kahook, the same connection is still established when the kahook one has closed", async () => {
  const { kahookClosedAfterMs, info, afterMs } = await control;
  assert.ok(kahookClosedAfterMs !== undefined, "the kahook connection never closed, so the control shows nothing");
  assert.ok(info, `the connection without kahook closed within ${(afterMs / 1000).toFixed(2)} s`);
  console.log(
    `${runtime} control: ${info.state}, ${info.probes} probes, ${
      (afterMs / 1000).toFixed(2)
    } s after the peer vanished`,
  );
  assert.is(info.state, "ESTABLISHED");
  assert.is(info.probes, 0, "the system's defaults probe only after 7200 s idle");
});

test("server with options on its listening socket, client vanishes: the accepted socket ends with ETIMEDOUT in the bound", async () => {
  const { closure, samples } = await idleServer;
  assertDetected("idle server", closure, KEEPALIVE_BOUND_MS);
  assert.is(most(samples, "probes"), KEEPALIVE.count, "unanswered keepalive probes seen in TCP_INFO");
});

test("client in its own process, server vanishes: the client reports ETIMEDOUT in the bound", async () => {
  const report = await childClient;
  assert.is(report.event, "closed", `the child's client was still open after ${report.afterMs / 1000} s`);
  assertDetected("child client", report, KEEPALIVE_BOUND_MS);
});

test.run();
