/**
 * `kahook inspect <pid> [--json]`: every TCP socket of a running process with its options and
 * TCP_INFO, read through duplicates of its fds (pidfd_getfd, Linux 5.6 or later).
 * @module
 */
import type { KeepAliveState } from "../config/options.ts";
import type { ProcSocket } from "../remote/proc.ts";
import { inspectProcess } from "../remote/process.ts";
import { type Parsed, usage } from "./args.ts";

export const INSPECT_HELP = `Usage: kahook inspect PID [--json]

Lists every TCP socket of process PID: addresses, state, SO_KEEPALIVE, TCP_KEEPIDLE,
TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT, and from TCP_INFO the keepalive probes sent,
retransmissions and the time since data was last received. Needs Linux 5.6 or later and
ptrace permission over PID (the same user, or root).
`;

export const INSPECT_OPTIONS = { switches: ["--json"], operands: ["PID"] };

/** The PID operand, in plain digits. */
export function parsePid({ operands: [pid] }: Parsed): number {
  if (!/^[1-9][0-9]*$/.test(pid)) throw usage(`PID must be a process id in digits, not ${JSON.stringify(pid)}`);
  return Number(pid);
}

/** A duration in ms as the table shows it: whole seconds as "15s", otherwise "1500ms". */
const duration = (ms: number | boolean | undefined) =>
  typeof ms !== "number" ? "-" : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;

/** The columns every per-socket table starts with. */
export const socketColumns = (socket: ProcSocket) => [String(socket.fd), socket.local, socket.remote, socket.state];
export const SOCKET_HEADER = ["fd", "local", "remote", "state"];

/** The keepalive columns of a socket's options. */
export const optionColumns = (options: KeepAliveState) => [
  options.enable ? "on" : "off",
  duration(options.idle),
  duration(options.interval),
  String(options.count ?? "-"),
  options.userTimeout ? duration(options.userTimeout) : "system",
];
export const OPTION_HEADER = ["keepalive", "idle", "intvl", "cnt", "user_timeout"];

/** Left-aligned columns two spaces apart. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd() + "\n").join("");
}

export function inspect(args: Parsed): string {
  const pid = parsePid(args);
  const sockets = inspectProcess(pid);
  if (args.switches.has("--json")) return JSON.stringify(sockets, null, 2) + "\n";
  if (sockets.length === 0) return `process ${pid} has no TCP sockets\n`;
  const header = [...SOCKET_HEADER, ...OPTION_HEADER, "probes", "retrans", "last_recv"];
  return table([
    header,
    ...sockets.map((socket) => [
      ...socketColumns(socket),
      ...optionColumns(socket.options),
      String(socket.info.probes),
      String(socket.info.totalRetransmits),
      socket.state === "LISTEN" ? "-" : `${socket.info.lastDataReceived}ms`,
    ]),
  ]);
}
