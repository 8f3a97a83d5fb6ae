import * as assert from "uvu/assert";
import { loadLibc } from "../src/runtimes/libc.ts";
import { currentPlatform, errnoName } from "../src/sys/index.ts";
import { linux, SO_ERROR, SOL_SOCKET } from "../src/sys/linux.ts";
import { decodeTcpInfo, TCP_INFO, TCP_STATES } from "../src/sys/tcp-info.ts";
import { GIVE_UP_MS } from "./_deadpeer.ts";

/** How often a watched connection's state is read, ms. */
export const POLL_MS = 25;

/** How the kernel ended a watched connection: ms after `since`, the socket's error, TCP_INFO's counts. */
export interface KernelClosure {
  afterMs: number;
  code?: string;
  probes: number;
  retransmits: number;
}

/**
 * Reads the TCP state of fd, a duplicate of another process's socket, every POLL_MS until the
 * kernel has closed the connection or GIVE_UP_MS passed since `since`. The program usually
 * reads the pending error first, so the error is then inferred as the kernel gives it: a
 * connection closed after unanswered keepalive probes or unacknowledged retransmissions (TCP_INFO
 * keeps both counts) was timed out, ETIMEDOUT (net/ipv4/tcp_timer.c).
 */
/** A control's check: the connection is still open when the watch gave up; `without` names what it ran without. */
export function assertStillOpen(closure: KernelClosure | undefined, without: string): void {
  const after = ((closure?.afterMs ?? 0) / 1000).toFixed(2);
  assert.is(closure, undefined, `${without}, the connection closed after ${after} s`);
}

export async function watchKernelClosure(fd: number, since: number): Promise<KernelClosure | undefined> {
  const libc = loadLibc();
  const bytes = new Uint8Array(TCP_INFO.size);
  const error = new Int32Array(1);
  while (performance.now() - since < GIVE_UP_MS) {
    const pending = libc.getsockopt(fd, SOL_SOCKET, SO_ERROR, error) === 0 && error[0] !== 0
      ? errnoName(currentPlatform(), error[0])
      : undefined;
    if (libc.getsockoptBytes(fd, linux.tcpInfo!.level, linux.tcpInfo!.name, bytes) < 0) {
      throw new Error("TCP_INFO failed on the duplicate");
    }
    const { state, probes, retransmits } = decodeTcpInfo(bytes);
    if (TCP_STATES[state] === "CLOSE") {
      const timedOut = probes > 0 || retransmits > 0;
      return {
        afterMs: performance.now() - since,
        code: pending ?? (timedOut ? "ETIMEDOUT" : undefined),
        probes,
        retransmits,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return undefined;
}
