/**
 * Linux's ABI for simulating a vanished peer: <asm-generic/socket.h> and <linux/filter.h>, the same on x86_64 and arm64
 * (LP64). native/deadpeer.c prints these from the headers, and a test compares.
 */

/** setsockopt(SOL_SOCKET, SO_ATTACH_FILTER, &struct sock_fprog, sizeof): a classic BPF socket filter. */
export const SO_ATTACH_FILTER = 26;

/** struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }: one classic BPF instruction, 8 bytes. */
export const SOCK_FILTER = { size: 8, code: 0, jt: 2, jf: 3, k: 4 } as const;
/** BPF_RET | BPF_K: return the constant k, the number of bytes of the packet to keep (0 drops it). */
export const BPF_RET_K = 0x06;

/** struct sock_fprog { unsigned short len; struct sock_filter *filter; }: the pointer is 8-aligned. */
export const SOCK_FPROG = { size: 16, len: 0, filter: 8 } as const;
