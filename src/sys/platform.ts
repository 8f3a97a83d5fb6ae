/** An option by its setKeepAlive name. */
export type OptionName =
  | "enable"
  | "idle"
  | "interval"
  | "count"
  | "userTimeout"
  | "synCount"
  | "deferAccept"
  | "maxSegment"
  | "windowClamp";

/** The options kahook knows, in the order it sets them: every OptionName once (the Record checks it). */
export const OPTION_NAMES = Object.keys(
  {
    enable: 0,
    idle: 0,
    interval: 0,
    count: 0,
    userTimeout: 0,
    synCount: 0,
    deferAccept: 0,
    maxSegment: 0,
    windowClamp: 0,
  } satisfies Record<OptionName, 0>,
) as readonly OptionName[];

/** One socket option as the kernel sees it: an int at (level, name), accepted in [min, max] kernel units. */
export interface SocketOption {
  /** The C constant, for messages and the header check: "TCP_KEEPIDLE". */
  constant: string;
  /** setsockopt's level: SOL_SOCKET or IPPROTO_TCP. */
  level: number;
  /** setsockopt's option name. */
  name: number;
  /** The smallest value the kernel takes, in kernel units. */
  min: number;
  /** The largest value the kernel takes, in kernel units. */
  max: number;
}

/** Everything that differs between operating systems, as data. */
export interface Platform {
  /** Node's process.platform name: "linux", "darwin". */
  os: string;
  /** Linux is tested in CI; other tables are transcribed from headers and untested. */
  tested: boolean;
  /** An option the platform lacks is absent: using it is an ENOPROTOOPT error. */
  options: Partial<Record<OptionName, SocketOption>>;
  /** Where the system-wide keepalive defaults live (seconds, or probes for count). */
  systemDefaults: Partial<Record<"idle" | "interval" | "count", string>>;
  /** socket(2) arguments for a TCP socket that kahook creates itself, to configure it before connect(2). */
  tcpSocket: {
    /** The address family for each IP version: AF_INET, AF_INET6. */
    family: Record<4 | 6, number>;
    /** SOCK_STREAM, plus the flags libuv would pass (non-blocking, close-on-exec) where the OS has them. */
    type: number;
  };
  /** What the fd fallback needs to recognise a socket by its addresses (getsockname/getpeername). */
  sockaddr: {
    /** The byte of struct sockaddr holding the family: the low byte of Linux's u16, BSD's u8 after sa_len. */
    familyByte: number;
    /** SO_ACCEPTCONN: 1 on a listening socket. */
    acceptConn: { level: number; name: number };
    /** errno of a closed fd, EBADF. */
    badFd: number;
  };
  /** getsockopt's level and name of struct tcp_info (sys/tcp-info.ts lays it out); absent where there is none. */
  tcpInfo?: { level: number; name: number };
  /**
   * syscall(2) numbers of the calls kahook makes through it, as libc may not wrap them (musl and glibc < 2.36 lack
   * pidfd_open and pidfd_getfd); absent where there are none. Those that differ by architecture are by Node's
   * process.arch.
   */
  syscalls?: { pidfdOpen: number; pidfdGetfd: number; processVmReadv: Readonly<Record<string, number>> };
  /** Where the busy-connection limits live: retransmissions (tcp_retries2) and the largest RTO in ms, if the kernel has it. */
  retransmission?: { retries: string; rtoMaxMs: string };
  /** errno number → name, for the errors kahook can meet. */
  errno: Record<number, string>;
  /** libc paths to try in order, absolute first so that Deno's --allow-ffi=<path> can name one. */
  libc(arch: string): string[];
}
