/**
 * struct tcp_info of <linux/tcp.h>, as data: the fields kahook reads, with their byte offsets,
 * sizes and units. The layout only grows at the end, so a longer struct from a newer kernel
 * keeps these offsets; a field beyond the length an older kernel fills reads as 0.
 */
export const TCP_INFO = {
  /** Up to tcpi_total_retrans: every field read below lies inside. getsockopt's level and name are the platform's tcpInfo. */
  size: 104,
} as const;

interface Field {
  /** The C member, for the offset check against the headers. */
  member: string;
  offset: number;
  /** 1 (__u8) or 4 (__u32). */
  size: 1 | 4;
}

export const TCP_INFO_FIELDS = {
  /** TCP state number (TCP_ESTABLISHED = 1, ...). */
  state: { member: "tcpi_state", offset: 0, size: 1 },
  /** Retransmissions of the oldest unacknowledged segment so far (resets when it is acknowledged). */
  retransmits: { member: "tcpi_retransmits", offset: 2, size: 1 },
  /** Keepalive or zero-window probes sent and unanswered. */
  probes: { member: "tcpi_probes", offset: 3, size: 1 },
  /** Current retransmission timeout, µs. */
  rto: { member: "tcpi_rto", offset: 8, size: 4 },
  /** Segments sent and not yet acknowledged. */
  unacked: { member: "tcpi_unacked", offset: 24, size: 4 },
  /** Time since data was last sent, ms. */
  lastDataSent: { member: "tcpi_last_data_sent", offset: 44, size: 4 },
  /** Time since data was last received, ms. */
  lastDataReceived: { member: "tcpi_last_data_recv", offset: 52, size: 4 },
  /** Time since an acknowledgement was last received, ms. */
  lastAckReceived: { member: "tcpi_last_ack_recv", offset: 56, size: 4 },
  /** Smoothed round-trip time, µs. */
  rtt: { member: "tcpi_rtt", offset: 68, size: 4 },
  /** Retransmissions over the connection's life. */
  totalRetransmits: { member: "tcpi_total_retrans", offset: 100, size: 4 },
} as const satisfies Record<string, Field>;

export type TcpInfo = Record<keyof typeof TCP_INFO_FIELDS, number>;

/** Decodes the bytes getsockopt(TCP_INFO) filled (native byte order). */
export function decodeTcpInfo(bytes: Uint8Array): TcpInfo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
  const info: Record<string, number> = {};
  for (const [key, { offset, size }] of Object.entries(TCP_INFO_FIELDS)) {
    info[key] = size === 1 ? view.getUint8(offset) : view.getUint32(offset, littleEndian);
  }
  return info as TcpInfo;
}

/** include/net/tcp_states.h: the state numbers of TCP_INFO and /proc/net/tcp. */
export const TCP_STATES: Record<number, string> = {
  1: "ESTABLISHED",
  2: "SYN_SENT",
  3: "SYN_RECV",
  4: "FIN_WAIT1",
  5: "FIN_WAIT2",
  6: "TIME_WAIT",
  7: "CLOSE",
  8: "CLOSE_WAIT",
  9: "LAST_ACK",
  10: "LISTEN",
  11: "CLOSING",
  12: "NEW_SYN_RECV",
};
