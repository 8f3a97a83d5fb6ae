/**
 * A blackholed peer under load, under the preload: of CONNECTIONS idle loopback connections, the
 * server's end of one in VANISH_EVERY vanishes (drops every packet). kahook's keepalive, from the
 * environment, must end each of those clients with ETIMEDOUT within the bound, and leave every
 * other connection, whose peer answers the probes, open.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { inNamespace, simulationSupport } from "../src/deadpeer/support.ts";
import { runtime } from "../src/host/host.ts";
import { here, PRELOADS, run } from "./_run.ts";
import process from "node:process";

const CONNECTIONS = 200;
const VANISH_EVERY = 4;
/** Probe after 1 s idle, every 1 s, give up after 2 unanswered: 1 + 1 × 2 = 3 s; TCP_USER_TIMEOUT derives 3000 ms. */
const ENV = { TCP_KEEPIDLE: "1", TCP_KEEPINTVL: "1", TCP_KEEPCNT: "2" };
const BOUND_MS = 3_000;
/** The window each detection must fall in: [bound − EARLY_MS, bound + LATE_MS]. */
const EARLY_MS = 500;
const LATE_MS = 2_000;
/** The fixture stops waiting here: a close after it counts as a hang. */
const DEADLINE_MS = BOUND_MS + LATE_MS + 1_000;

/** The last preload: Deno's -A, which the socket filter's /proc reads need. */
const preload = PRELOADS.at(-1)!;

test(`${preload.name}: ${CONNECTIONS / VANISH_EVERY} of ${CONNECTIONS} peers vanish: those end with ETIMEDOUT in ${BOUND_MS / 1000} s, the rest stay open`, () => {
  const support = simulationSupport();
  assert.ok(support.where !== "nowhere", support.where === "nowhere" ? support.reason : "");
  const args = [
    ...preload.args,
    here("fixtures/deadpeer/blackhole"),
    String(CONNECTIONS),
    String(VANISH_EVERY),
    String(DEADLINE_MS),
  ];
  const command = support.where === "here" ? { binary: process.execPath, args } : inNamespace(process.execPath, args);
  const result = run(command.binary, command.args, ENV);
  assert.is(result.status, 0, result.stderr);
  const { vanished, healthyOpen, healthy } = JSON.parse(result.stdout) as {
    vanished: ({ afterMs: number; code?: string } | null)[];
    healthyOpen: number;
    healthy: number;
  };
  assert.is(vanished.length, CONNECTIONS / VANISH_EVERY);
  assert.is(
    vanished.filter((closure) => closure === null).length,
    0,
    `still open ${DEADLINE_MS / 1000} s after their peer vanished`,
  );
  const times = vanished.map((closure) => closure!.afterMs);
  console.log(
    `${runtime}: ${vanished.length} vanished peers detected after ${(Math.min(...times) / 1000).toFixed(2)}–${
      (Math.max(...times) / 1000).toFixed(2)
    } s; ${healthyOpen} of ${healthy} others open`,
  );
  assert.equal([...new Set(vanished.map((closure) => closure!.code))], ["ETIMEDOUT"]);
  assert.ok(
    Math.min(...times) >= BOUND_MS - EARLY_MS && Math.max(...times) <= BOUND_MS + LATE_MS,
    `outside [${BOUND_MS - EARLY_MS}, ${BOUND_MS + LATE_MS}] ms`,
  );
  assert.is(healthy, CONNECTIONS - CONNECTIONS / VANISH_EVERY);
  assert.is(healthyOpen, healthy);
});

test.run();
