import type { Platform } from "./platform.ts";

// <sys/socket.h>, <netinet/in.h>, <netinet/tcp.h>: identical on x86_64 and arm64.
export const SOL_SOCKET = 1;
/** SOL_SOCKET: the socket's pending error, cleared by reading it. */
export const SO_ERROR = 4;
export const IPPROTO_TCP = 6;
const INT_MAX = 2147483647;
const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;

// Debian/Ubuntu multiarch directory and musl loader name, per Node's process.arch.
const multiarch: Record<string, string> = { x64: "x86_64-linux-gnu", arm64: "aarch64-linux-gnu" };
const muslArch: Record<string, string> = { x64: "x86_64", arm64: "aarch64" };

export const linux: Platform = {
  os: "linux",
  tested: true,
  options: {
    enable: { constant: "SO_KEEPALIVE", level: SOL_SOCKET, name: 9, min: 0, max: 1 },
    // Seconds; MAX_TCP_KEEPIDLE / MAX_TCP_KEEPINTVL = 32767, MAX_TCP_KEEPCNT = 127.
    idle: { constant: "TCP_KEEPIDLE", level: IPPROTO_TCP, name: 4, min: 1, max: 32767 },
    interval: { constant: "TCP_KEEPINTVL", level: IPPROTO_TCP, name: 5, min: 1, max: 32767 },
    count: { constant: "TCP_KEEPCNT", level: IPPROTO_TCP, name: 6, min: 1, max: 127 },
    // Milliseconds; 0 means the system's retransmission limit (tcp_retries2).
    userTimeout: { constant: "TCP_USER_TIMEOUT", level: IPPROTO_TCP, name: 18, min: 0, max: INT_MAX },
    // SYN retransmissions; MAX_TCP_SYNCNT = 127 (128 is EINVAL, measured).
    synCount: { constant: "TCP_SYNCNT", level: IPPROTO_TCP, name: 7, min: 1, max: 127 },
    // Seconds; the kernel rounds up to its SYN-ACK retransmission schedule (1, 3, 7, 15, 31, ... s).
    deferAccept: { constant: "TCP_DEFER_ACCEPT", level: IPPROTO_TCP, name: 9, min: 0, max: INT_MAX },
    // Bytes; TCP_MIN_MSS = 88, MAX_TCP_WINDOW = 32767.
    maxSegment: { constant: "TCP_MAXSEG", level: IPPROTO_TCP, name: 2, min: 88, max: 32767 },
    // Bytes; the kernel raises values below SOCK_MIN_RCVBUF / 2 (1152 on x86_64) to that.
    windowClamp: { constant: "TCP_WINDOW_CLAMP", level: IPPROTO_TCP, name: 10, min: 1, max: INT_MAX },
  },
  systemDefaults: {
    idle: "/proc/sys/net/ipv4/tcp_keepalive_time",
    interval: "/proc/sys/net/ipv4/tcp_keepalive_intvl",
    count: "/proc/sys/net/ipv4/tcp_keepalive_probes",
  },
  // TCP_INFO = 11 at IPPROTO_TCP.
  tcpInfo: { level: IPPROTO_TCP, name: 11 },
  syscalls: {
    // The kernel's unified syscall table, the same on every architecture since Linux 5.1.
    pidfdOpen: 434,
    pidfdGetfd: 438,
    // Older: arch/x86/entry/syscalls/syscall_64.tbl, and include/uapi/asm-generic/unistd.h for arm64.
    processVmReadv: { x64: 310, arm64: 270 },
  },
  // tcp_rto_max_ms exists from Linux 6.15 on.
  retransmission: { retries: "/proc/sys/net/ipv4/tcp_retries2", rtoMaxMs: "/proc/sys/net/ipv4/tcp_rto_max_ms" },
  tcpSocket: { family: { 4: AF_INET, 6: AF_INET6 }, type: SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC },
  // Little-endian hosts (x86_64, arm64): the u16 sa_family's low byte comes first. SO_ACCEPTCONN = 30.
  sockaddr: { familyByte: 0, acceptConn: { level: SOL_SOCKET, name: 30 }, badFd: 9 },
  errno: {
    1: "EPERM",
    2: "ENOENT",
    3: "ESRCH",
    4: "EINTR",
    9: "EBADF",
    11: "EAGAIN",
    12: "ENOMEM",
    13: "EACCES",
    14: "EFAULT",
    22: "EINVAL",
    23: "ENFILE",
    24: "EMFILE",
    38: "ENOSYS",
    88: "ENOTSOCK",
    92: "ENOPROTOOPT",
    95: "EOPNOTSUPP",
    97: "EAFNOSUPPORT",
    107: "ENOTCONN",
    110: "ETIMEDOUT",
  },
  libc(arch) {
    const dir = multiarch[arch] ?? `${arch}-linux-gnu`;
    return [
      `/lib/${dir}/libc.so.6`,
      `/usr/lib/${dir}/libc.so.6`,
      "/lib64/libc.so.6",
      "/usr/lib64/libc.so.6",
      `/lib/ld-musl-${muslArch[arch] ?? arch}.so.1`,
      "libc.so.6",
    ];
  },
};
