import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import { endianness } from "node:os";
import { TCP_STATES } from "../sys/tcp-info.ts";
import { processError } from "./pidfd.ts";

/** A TCP socket as /proc shows it: which fd of the process holds it, and its addresses. */
export interface ProcSocket {
  fd: number;
  inode: number;
  /** "127.0.0.1:5432", "[::1]:443". */
  local: string;
  remote: string;
  state: string;
}

/** readlink(/proc/PID/fd/N) of a socket: "socket:[12345]". */
const SOCKET_LINK = /^socket:\[(\d+)\]$/;

/** The inode of the socket an fd link names, or undefined for anything else. */
export function socketInode(link: string): number | undefined {
  const match = SOCKET_LINK.exec(link);
  return match ? Number(match[1]) : undefined;
}

/**
 * Every TCP socket among the process's fds, in fd order: /proc/PID/fd gives each fd's inode,
 * /proc/PID/net/tcp and tcp6 (the process's own network namespace) the TCP ones' addresses.
 */
export function tcpSockets(pid: number): ProcSocket[] {
  const table = new Map<number, Omit<ProcSocket, "fd">>();
  for (const file of ["tcp", "tcp6"]) {
    for (const entry of readProcTable(pid, file)) table.set(entry.inode, entry);
  }
  const sockets: ProcSocket[] = [];
  for (const fd of readProc(pid, "fd", () => readdirSync(`/proc/${pid}/fd`)).map(Number).sort((a, b) => a - b)) {
    let link: string;
    try {
      link = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed since the directory was read
    }
    const entry = table.get(socketInode(link) ?? -1);
    if (entry) sockets.push({ fd, ...entry });
  }
  return sockets;
}

/**
 * The files process pid has mapped, by path, each with the address its first page (file offset 0)
 * is mapped at: where a shared object is loaded. /proc/PID/maps, one mapping a line: "start-end
 * perms offset dev inode path", addresses and offset in hex.
 */
export function mappedFiles(pid: number): Map<string, bigint> {
  const text = readProc(pid, "maps", () => readFileSync(`/proc/${pid}/maps`, "utf8"));
  const files = new Map<string, bigint>();
  for (const line of text.split("\n")) {
    const match = /^([0-9a-f]+)-[0-9a-f]+ \S+ ([0-9a-f]+) \S+ \d+ +(\/.*)$/.exec(line);
    if (match && BigInt(`0x${match[2]}`) === 0n && !files.has(match[3])) files.set(match[3], BigInt(`0x${match[1]}`));
  }
  return files;
}

function readProc<T>(pid: number, what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    const code = (error as { code?: string }).code ?? "EIO";
    throw processError("open", `reading /proc/${pid}/${what}`, code === "ENOENT" ? "ESRCH" : code);
  }
}

/**
 * One /proc/net/tcp{,6} file. Each line: "sl local rem st ... inode ...", addresses as hex
 * address:port; the address is 32-bit words in host byte order, the port big-endian.
 */
function readProcTable(pid: number, file: string): Omit<ProcSocket, "fd">[] {
  const text = readProc(pid, `net/${file}`, () => readFileSync(`/proc/${pid}/net/${file}`, "utf8"));
  return text.split("\n").slice(1).filter(Boolean).map((line) => {
    const fields = line.trim().split(/\s+/);
    return {
      local: address(fields[1]),
      remote: address(fields[2]),
      state: TCP_STATES[parseInt(fields[3], 16)] ?? fields[3],
      inode: Number(fields[9]),
    };
  });
}

function address(hex: string): string {
  const [host, port] = hex.split(":");
  const bytes: number[] = [];
  for (let word = 0; word < host.length; word += 8) {
    const wordBytes = host.slice(word, word + 8).match(/../g)!.map((byte) => parseInt(byte, 16));
    bytes.push(...(endianness() === "LE" ? wordBytes.reverse() : wordBytes));
  }
  const portNumber = parseInt(port, 16);
  if (bytes.length === 4) return `${bytes.join(".")}:${portNumber}`;
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return `[${compressIPv6(groups)}]:${portNumber}`;
}

/** RFC 5952: the longest run of two or more zero groups becomes "::". */
function compressIPv6(groups: string[]): string {
  let best = { start: -1, length: 1 };
  for (let start = 0; start < groups.length; start++) {
    let length = 0;
    while (groups[start + length] === "0") length++;
    if (length > best.length) best = { start, length };
  }
  if (best.start < 0) return groups.join(":");
  return `${groups.slice(0, best.start).join(":")}::${groups.slice(best.start + best.length).join(":")}`;
}
