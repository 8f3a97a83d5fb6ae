/**
 * How long Linux takes to notice a dead peer, from the options in force: the model behind
 * `kahook config`. Times are in seconds.
 */
import { existsSync } from "node:fs";
import { facility, readInteger } from "../sys/index.ts";

/** Keepalive values in force, in kernel units: idle and interval s, userTimeout ms (0 = unset). */
export interface InForce {
  idle: number;
  interval: number;
  count: number;
  userTimeout: number;
}

/**
 * An idle connection, after the last data received. net/ipv4/tcp_timer.c, tcp_keepalive_timer:
 * probes go out at idle, idle + interval, ...; without TCP_USER_TIMEOUT the connection drops at
 * the tick that finds `count` probes unanswered. With it set, count is ignored: the connection
 * drops at the first tick at least userTimeout after the last data with a probe unanswered.
 */
export function idleDetection(inForce: InForce): number {
  return inForce.idle + inForce.interval * probesSent(inForce);
}

/** The probes an idle connection sends to a dead peer before it drops (see idleDetection). */
export function probesSent({ idle, interval, count, userTimeout }: InForce): number {
  return userTimeout > 0 ? Math.max(1, Math.ceil((userTimeout / 1000 - idle) / interval)) : count;
}

/** include/net/tcp.h: TCP_RTO_MIN = 200 ms is the base of the model; TCP_RTO_MAX = 120 s unless tcp_rto_max_ms says otherwise. */
const RTO_MIN_MS = 200;
const DEFAULT_RTO_MAX_MS = 120_000;

/**
 * A busy connection (data unacknowledged) without TCP_USER_TIMEOUT gives up after tcp_retries2
 * retransmissions, timed by net/ipv4/tcp_timer.c, tcp_model_timeout: the timeout doubles from
 * 200 ms until it reaches the maximum RTO, then stays there. For tcp_retries2 = 15 and 120 s:
 * (2^10 − 1) × 0.2 s + 6 × 120 s = 924.6 s. The real RTT does not enter: the kernel uses this model.
 */
export function retransmissionTimeout(retries: number, rtoMaxMs = DEFAULT_RTO_MAX_MS): number {
  const doublings = Math.floor(Math.log2(rtoMaxMs / RTO_MIN_MS));
  const ms = retries <= doublings
    ? ((2 << retries) - 1) * RTO_MIN_MS
    : ((2 << doublings) - 1) * RTO_MIN_MS + (retries - doublings) * rtoMaxMs;
  return ms / 1000;
}

/** tcp_retries2 and the time it stands for on this system. */
export function systemRetransmission(): { retries: number; seconds: number } {
  const paths = facility("retransmission");
  const retries = readInteger(paths.retries);
  const rtoMax = existsSync(paths.rtoMaxMs) ? readInteger(paths.rtoMaxMs) : DEFAULT_RTO_MAX_MS;
  return { retries, seconds: retransmissionTimeout(retries, rtoMax) };
}

/** A busy connection: TCP_USER_TIMEOUT where set, otherwise the retransmission limit. */
export function busyDetection(inForce: InForce, retransmission: { seconds: number }): number {
  return inForce.userTimeout > 0 ? inForce.userTimeout / 1000 : retransmission.seconds;
}
