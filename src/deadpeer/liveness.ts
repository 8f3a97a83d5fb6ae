import type { Target } from "../fd/index.ts";
import { facility } from "../sys/index.ts";
import { decodeTcpInfo, TCP_INFO, TCP_STATES } from "../sys/tcp-info.ts";
import { linuxSocketCall } from "./syscall.ts";

/** The part of struct tcp_info that shows a connection giving up on a silent peer. */
export interface Liveness {
  /** "ESTABLISHED", "CLOSE", ... */
  state: string;
  /** Keepalive (or zero-window) probes sent since the peer last answered: unanswered probes. */
  probes: number;
  /** Retransmissions of the oldest unacknowledged segment, in the current episode. */
  retransmits: number;
}

/** Reads TCP_INFO (getsockopt) from a connected socket: Linux only. */
export function readLiveness(target: Target): Liveness {
  const raw = new Uint8Array(TCP_INFO.size);
  linuxSocketCall(target, "getsockopt", "TCP_INFO", (libc, fd) => {
    const { level, name } = facility("tcpInfo");
    const filled = libc.getsockoptBytes(fd, level, name, raw);
    return filled < 0 ? -filled : 0;
  });
  const { state, probes, retransmits } = decodeTcpInfo(raw);
  return { state: TCP_STATES[state] ?? `state ${state}`, probes, retransmits };
}
