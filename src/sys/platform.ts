/** The options kahook knows, in the order it sets them. */
export const OPTION_NAMES = [
  "enable",
  "idle",
  "interval",
  "count",
  "userTimeout",
  "synCount",
  "deferAccept",
  "maxSegment",
  "windowClamp",
] as const;

export type OptionName = (typeof OPTION_NAMES)[number];

/** One socket option as the kernel sees it: an int at (level, name), accepted in [min, max] kernel units. */
export interface SocketOption {
  /** The C constant, for messages and the header check: "TCP_KEEPIDLE". */
  constant: string;
  level: number;
  name: number;
  min: number;
  max: number;
}

/** Everything that differs between operating systems, as data. */
export interface Platform {
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
  /** errno number → name, for the errors kahook can meet. */
  errno: Record<number, string>;
  /** libc paths to try in order, absolute first so that Deno's --allow-ffi=<path> can name one. */
  libc(arch: string): string[];
}
