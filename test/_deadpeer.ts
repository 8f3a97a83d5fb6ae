import * as assert from "uvu/assert";
import type { KeepAliveOptions } from "../src/config/options.ts";
import { runtime } from "../src/host/host.ts";

/** Probe after 1 s idle, every 1 s, give up after 2 unanswered probes: 1 + 1 × 2 = 3 s. */
export const KEEPALIVE = { enable: true, idle: 1_000, interval: 1_000, count: 2 } satisfies KeepAliveOptions;
export const KEEPALIVE_BOUND_MS = KEEPALIVE.idle + KEEPALIVE.interval * KEEPALIVE.count;
/** KEEPALIVE in libkeepalive's variables, which are in seconds. */
export const KEEPALIVE_ENV = {
  TCP_KEEPIDLE: String(KEEPALIVE.idle / 1000),
  TCP_KEEPINTVL: String(KEEPALIVE.interval / 1000),
  TCP_KEEPCNT: String(KEEPALIVE.count),
};
/** How long sent data may stay unacknowledged, ms. */
export const USER_TIMEOUT_MS = 2_000;
/** Bytes written once the peer has vanished, so that they stay unacknowledged. */
export const PENDING_BYTES = 1_000;
/** The window a detection time must fall in: [bound − EARLY_MS, bound + LATE_MS]. */
const EARLY_MS = 500;
const LATE_MS = 2_000;
/** Waiting beyond the window tells a late close from one that never came, ms. */
export const GIVE_UP_MS = KEEPALIVE_BOUND_MS + LATE_MS + 1_000;

/** Starts a scenario now; its test awaits it later, so a failure is reported there and not as unhandled. */
export function start<T>(scenario: () => Promise<T>): Promise<T> {
  const promise = scenario();
  promise.catch(() => {});
  return promise;
}

/** Asserts the socket ended with ETIMEDOUT within the window around the bound, and logs when. */
export function assertDetected(
  what: string,
  closure: { afterMs: number; code?: string } | undefined,
  boundMs: number,
): void {
  assert.ok(closure, `${what}: still open ${GIVE_UP_MS / 1000} s after the peer vanished (bound ${boundMs / 1000} s)`);
  const seconds = (closure.afterMs / 1000).toFixed(2);
  console.log(`${runtime} ${what}: ${closure.code} after ${seconds} s (bound ${boundMs / 1000} s)`);
  assert.is(closure.code, "ETIMEDOUT", `${what}: ended with ${closure.code} after ${seconds} s`);
  assert.ok(
    closure.afterMs >= boundMs - EARLY_MS && closure.afterMs <= boundMs + LATE_MS,
    `${what}: detected after ${seconds} s, outside [${(boundMs - EARLY_MS) / 1000}, ${(boundMs + LATE_MS) / 1000}] s`,
  );
}
