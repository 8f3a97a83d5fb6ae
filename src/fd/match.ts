import type { Libc } from "../ffi/libc.ts";
import { builtin } from "../host/builtin.ts";
import type { Platform } from "../sys/platform.ts";

/** One end of a connection as a runtime reports it: address text ("127.0.0.1", "::1") and port. */
export interface Endpoint {
  address: string;
  port: number;
}

/** A connected socket's two ends, or a listening socket's local end alone. */
export interface Addresses {
  local: Endpoint;
  /** Absent for a listening socket. */
  remote?: Endpoint;
}

/** sizeof(struct sockaddr_storage): room for any address family. */
const SOCKADDR_SIZE = 128;
/**
 * The walk ends after this many closed fds in a row. The kernel hands out the lowest free fd,
 * so open fds are dense; only an fd placed high on purpose (dup2) could lie past such a gap.
 */
const MAX_CLOSED_RUN = 1024;

/**
 * The fallback for sockets whose runtime exposes no fd (Bun.serve and the node:http server built
 * on it, Deno.connect, Deno.listen): walks the fds from 0 and returns the first TCP socket whose
 * getsockname, and getpeername for a connected socket, equal the addresses given. A listening
 * socket must also report SO_ACCEPTCONN, since the sockets it accepted share its local address.
 * Costs one getsockname per fd below the match (about 0.3 µs each). Undefined when none matches.
 */
export function findFd(libc: Libc, platform: Platform, { local, remote }: Addresses): number | undefined {
  const buffer = new Uint8Array(SOCKADDR_SIZE);
  const flag = new Int32Array(1);
  const { acceptConn, badFd } = platform.sockaddr;
  for (let fd = 0, closedRun = 0; closedRun < MAX_CLOSED_RUN; fd++) {
    const errno = libc.getsockname(fd, buffer);
    closedRun = errno === badFd ? closedRun + 1 : 0;
    if (errno !== 0 || !matches(decode(buffer, platform), local)) continue;
    if (remote === undefined) {
      if (libc.getsockopt(fd, acceptConn.level, acceptConn.name, flag) === 0 && flag[0] === 1) return fd;
    } else if (libc.getpeername(fd, buffer) === 0 && matches(decode(buffer, platform), remote)) {
      return fd;
    }
  }
  return undefined;
}

/** A struct sockaddr_in or sockaddr_in6 as an endpoint; undefined for other families (unix). */
function decode(bytes: Uint8Array, platform: Platform): Endpoint | undefined {
  const family = bytes[platform.sockaddr.familyByte];
  // sin_port and sin6_port sit at bytes 2..3 in network byte order in both layouts.
  const port = (bytes[2] << 8) | bytes[3];
  if (family === platform.tcpSocket.family[4]) return { address: bytes.subarray(4, 8).join("."), port };
  if (family !== platform.tcpSocket.family[6]) return undefined;
  // sin6_addr at bytes 8..23: eight big-endian groups of 16 bits.
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[8 + 2 * i] << 8) | bytes[9 + 2 * i]).toString(16));
  return { address: groups.join(":"), port };
}

/**
 * Same port, and the same address when the expected one is an IP literal (a server may report
 * the host name it was given, such as "localhost"; its port alone then identifies it).
 */
function matches(actual: Endpoint | undefined, expected: Endpoint): boolean {
  if (!actual || actual.port !== expected.port) return false;
  return builtin("node:net").isIP(withoutZone(expected.address)) === 0 ||
    canonical(actual.address) === canonical(expected.address);
}

const withoutZone = (address: string) => address.split("%")[0];

/** One spelling per address: "::1", "0:0:0:0:0:0:0:1" and "[::1]" all become "[::1]", as URL writes IPv6. */
function canonical(address: string): string {
  const bare = withoutZone(address).replace(/^\[|\]$/g, "");
  return builtin("node:net").isIP(bare) === 6 ? new URL(`http://[${bare}]/`).hostname : bare;
}
