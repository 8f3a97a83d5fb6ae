/**
 * Linux's ABI for simulating a vanished peer and for watching a connection's timeline:
 * <asm-generic/socket.h>, <linux/filter.h> and <netinet/tcp.h>, the same on x86_64 and arm64
 * (LP64). native/deadpeer.c prints these from the headers, and a test compares.
 */

/** setsockopt(SOL_SOCKET, SO_ATTACH_FILTER, &struct sock_fprog, sizeof): a classic BPF socket filter. */
export const SO_ATTACH_FILTER = 26;
/** getsockopt(IPPROTO_TCP, TCP_INFO, &struct tcp_info, &len). */
export const TCP_INFO = 11;

/** struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }: one classic BPF instruction, 8 bytes. */
export const SOCK_FILTER = { size: 8, code: 0, jt: 2, jf: 3, k: 4 } as const;
/** BPF_RET | BPF_K: return the constant k, the number of bytes of the packet to keep (0 drops it). */
export const BPF_RET_K = 0x06;

/** struct sock_fprog { unsigned short len; struct sock_filter *filter; }: the pointer is 8-aligned. */
export const SOCK_FPROG = { size: 16, len: 0, filter: 8 } as const;

/**
 * Byte offsets in struct tcp_info. probes and retransmits are u8 counters of the current
 * episode, reset when the peer answers.
 */
export const TCP_INFO_LAYOUT = {
  /** glibc's struct tcp_info; the kernel's has grown past it and copies min(len, its own size). */
  size: 104,
  state: 0,
  retransmits: 2,
  probes: 3,
} as const;

/** tcpi_state values by name (<netinet/tcp.h> TCP_ESTABLISHED = 1, ...; 0 is no state). */
export const TCP_STATES = [
  "NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSE",
  "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING",
] as const;
