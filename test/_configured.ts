import * as assert from "uvu/assert";
import type { Readback } from "./_report.ts";

/** A configuration with no value at any default, so that every readback can tell. */
export const CONFIGURED_ENV = {
  TCP_KEEPIDLE: "11",
  TCP_KEEPINTVL: "7",
  TCP_KEEPCNT: "3",
  TCP_USER_TIMEOUT: "12345",
  TCP_SYNCNT: "2",
  TCP_MAXSEG: "1000",
  TCP_WINDOW_CLAMP: "20000",
};

/** CONFIGURED_ENV with KAHOOK_DEBUG on: one stderr line per configured socket. */
export const DEBUG_ENV = { ...CONFIGURED_ENV, KAHOOK_DEBUG: "1" };

/**
 * sysexits.h EX_CONFIG, the status the preload exits with on an invalid configuration: written
 * here as the number the README documents, not imported, so that a wrong constant in src/ fails.
 */
export const EX_CONFIG = 78;

/** CONFIGURED_ENV in getKeepAlive's units (ms), minus TCP_MAXSEG and TCP_WINDOW_CLAMP, checked apart. */
const EXPECTED = { enable: true, idle: 11_000, interval: 7_000, count: 3, userTimeout: 12_345, synCount: 2 };
const WINDOW_CLAMP = 20_000;

/**
 * Asserts a readback shows CONFIGURED_ENV; afterData when the socket was read after data flowed. A listening socket reports TCP_MAXSEG as set; a
 * connected one reports the MSS in use, which the 1000 set before the SYN bounds (loopback's
 * own is about 65483).
 */
export function assertConfigured({ path, role, state }: Readback, afterData = false): void {
  const { maxSegment, windowClamp, deferAccept: _, ...rest } = state;
  assert.equal(rest, EXPECTED, `${role} of ${path}`);
  // Once data has flowed, receive-buffer autotuning may have raised the clamp, never lowered it.
  if (afterData) assert.ok(windowClamp! >= WINDOW_CLAMP, `TCP_WINDOW_CLAMP ${windowClamp} of the ${role} of ${path}`);
  else assert.is(windowClamp, WINDOW_CLAMP, `TCP_WINDOW_CLAMP of the ${role} of ${path}`);
  if (role === "listener") assert.is(maxSegment, 1000, `TCP_MAXSEG of the ${role} of ${path}`);
  else assert.ok(maxSegment! > 0 && maxSegment! <= 1000, `MSS ${maxSegment} of the ${role} of ${path}`);
}
