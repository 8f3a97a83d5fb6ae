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
  /** Exponential backoff steps of the retransmission timer. */
  backoff: number;
  /** Retransmission timeout, ms. */
  rtoMs: number;
  /** Segments sent and not yet acknowledged. */
  unacked: number;
  /** Retransmissions over the connection's life. */
  totalRetrans: number;
  /** Time since data was last sent, ms. */
  lastDataSentMs: number;
  /** Time since anything (data, ACK or probe answer) was last received from the peer, ms. */
  lastAckRecvMs: number;
}

/** Reads TCP_INFO (getsockopt) from a connected socket: Linux only. */
export function readTcpInfo(target: Target): TcpInfo {
  const raw = new Uint8Array(at.size);
  linuxSocketCall(target, "getsockopt", "TCP_INFO", (libc, fd) => libc.getsockoptBytes(fd, IPPROTO_TCP, TCP_INFO, raw));
  const view = new DataView(raw.buffer);
  const u32 = (offset: number) => view.getUint32(offset, true);
  return {
    state: TCP_STATES[raw[at.state]] ?? `state ${raw[at.state]}`,
    probes: raw[at.probes],
    retransmits: raw[at.retransmits],
    backoff: raw[at.backoff],
    rtoMs: u32(at.rto) / 1000,
    unacked: u32(at.unacked),
    totalRetrans: u32(at.totalRetrans),
    lastDataSentMs: u32(at.lastDataSent),
    lastAckRecvMs: u32(at.lastAckRecv),
  };
}
