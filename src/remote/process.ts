import { readlinkSync } from "node:fs";
import { getKeepAlive, setKeepAlive } from "../api/keepalive.ts";
import { loadLibc } from "../runtimes/libc.ts";
import { compileOptions, type KeepAliveOptions, type KeepAliveState } from "../config/options.ts";
import { facility } from "../sys/index.ts";
import { decodeTcpInfo, TCP_INFO, type TcpInfo } from "../sys/tcp-info.ts";
import { openProcess } from "./pidfd.ts";
import { type ProcSocket, socketInode, tcpSockets } from "./proc.ts";

/** One TCP socket of a running process, read through a duplicate of its fd. */
export interface SocketReport extends ProcSocket {
  /** Every option, in setKeepAlive's units (ms for durations). */
  options: KeepAliveState;
  /** TCP_INFO: probes, retransmits, times since data was last sent and received (ms), ... */
  info: TcpInfo;
}

/** What `apply` did to one socket: the options after it, or why it failed. */
export interface ApplyReport extends ProcSocket {
  options?: KeepAliveState;
  error?: string;
}

/**
 * Duplicates each TCP socket of process pid into this process (pidfd_getfd), calls use on the
 * duplicate and closes it. A socket closed meanwhile, or whose fd now holds another socket, is
 * skipped. Options set on the duplicate are set on the process's socket: both are one socket.
 */
function forEachSocket<T>(pid: number, use: (fd: number, socket: ProcSocket) => T): T[] {
  const libc = loadLibc();
  const process = openProcess(libc, pid);
  try {
    const results: T[] = [];
    for (const socket of tcpSockets(pid)) {
      const copy = process.duplicate(socket.fd);
      if (copy === undefined) continue;
      try {
        if (socketInode(readlinkSync(`/proc/self/fd/${copy}`)) !== socket.inode) continue;
        results.push(use(copy, socket));
      } finally {
        libc.close(copy);
      }
    }
    return results;
  } finally {
    process.close();
  }
}

/** Every TCP socket of process pid with its options and TCP_INFO (Linux 5.6 or later). */
export function inspectProcess(pid: number): SocketReport[] {
  const libc = loadLibc();
  const bytes = new Uint8Array(TCP_INFO.size);
  const tcpInfo = facility("tcpInfo");
  return forEachSocket(pid, (fd, socket) => {
    bytes.fill(0);
    const length = libc.getsockoptBytes(fd, tcpInfo.level, tcpInfo.name, bytes);
    if (length < 0) bytes.fill(0);
    return { ...socket, options: getKeepAlive(fd), info: decodeTcpInfo(bytes) };
  });
}

/**
 * Sets options on every TCP socket of process pid, without restarting it. Options are validated
 * first; a socket that refuses one (EINVAL for TCP_DEFER_ACCEPT on a client, say) is reported
 * and the others go on.
 */
export function applyToProcess(pid: number, options: KeepAliveOptions): ApplyReport[] {
  compileOptions(options);
  return forEachSocket(pid, (fd, socket) => {
    try {
      setKeepAlive(fd, options);
      return { ...socket, options: getKeepAlive(fd) };
    } catch (error) {
      return { ...socket, error: (error as Error).message };
    }
  });
}
