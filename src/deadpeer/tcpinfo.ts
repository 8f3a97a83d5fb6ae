import type { Target } from "../fd/index.ts";
import { IPPROTO_TCP } from "../sys/linux.ts";
import { TCP_INFO, TCP_INFO_LAYOUT as at, TCP_STATES } from "./linux.ts";
import { linuxSocketCall } from "./syscall.ts";

/** The part of struct tcp_info that shows a connection giving up on a silent peer. */
export interface TcpInfo {
  /** "ESTABLISHED", "CLOSE", ... */
  state: string;
  /** Keepalive (or zero-window) probes sent since the peer last answered: unanswered probes. */
  probes: number;
  /** Retransmissions of the oldest unacknowledged segment, in the current episode. */
  retransmits: number;
}

/** Reads TCP_INFO (getsockopt) from a connected socket: Linux only. */
export function readTcpInfo(target: Target): TcpInfo {
  const raw = new Uint8Array(at.size);
  linuxSocketCall(target, "getsockopt", "TCP_INFO", (libc, fd) => libc.getsockoptBytes(fd, IPPROTO_TCP, TCP_INFO, raw));
  return {
    state: TCP_STATES[raw[at.state]] ?? `state ${raw[at.state]}`,
    probes: raw[at.probes],
    retransmits: raw[at.retransmits],
  };
}
