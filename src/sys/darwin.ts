import type { Platform } from "./platform.ts";

// <sys/socket.h>, <netinet/tcp.h> of macOS. Untested: no macOS machine runs the suite.
const SOL_SOCKET = 0xffff;
const IPPROTO_TCP = 6;
const INT_MAX = 2147483647;

export const darwin: Platform = {
  os: "darwin",
  tested: false,
  options: {
    enable: { constant: "SO_KEEPALIVE", level: SOL_SOCKET, name: 0x8, min: 0, max: 1 },
    // macOS calls the idle time TCP_KEEPALIVE; seconds.
    idle: { constant: "TCP_KEEPALIVE", level: IPPROTO_TCP, name: 0x10, min: 1, max: INT_MAX },
    interval: { constant: "TCP_KEEPINTVL", level: IPPROTO_TCP, name: 0x101, min: 1, max: INT_MAX },
    count: { constant: "TCP_KEEPCNT", level: IPPROTO_TCP, name: 0x102, min: 1, max: INT_MAX },
    maxSegment: { constant: "TCP_MAXSEG", level: IPPROTO_TCP, name: 0x2, min: 1, max: 65535 },
  },
  systemDefaults: {},
  // macOS has no SOCK_NONBLOCK or SOCK_CLOEXEC; libuv's uv_tcp_open makes the socket non-blocking.
  tcpSocket: { family: { 4: 2, 6: 30 }, type: 1 },
  sockaddr: { familyByte: 1, acceptConn: { level: SOL_SOCKET, name: 0x2 }, badFd: 9 },
  errno: {
    1: "EPERM",
    9: "EBADF",
    22: "EINVAL",
    38: "ENOTSOCK",
    42: "ENOPROTOOPT",
    60: "ETIMEDOUT",
    102: "EOPNOTSUPP",
  },
  libc: () => ["/usr/lib/libSystem.B.dylib"],
};
