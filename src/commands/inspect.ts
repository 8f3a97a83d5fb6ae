/**
 * `kahook inspect <pid> [--json]`: every TCP socket of a running process with its options and
 * TCP_INFO, read through duplicates of its fds (pidfd_getfd, Linux 5.6 or later).
 * @module
 */
import type { KeepAliveState } from "../config/options.ts";
import type { ProcSocket } from "../remote/proc.ts";
import { CAUSES, TOTALS } from "../abi/figures.ts";
import { type LibraryFigures, processFigures } from "../remote/figures.ts";
import { inspectProcess, type SocketReport } from "../remote/process.ts";
import { type Parsed, usage } from "./args.ts";

export const INSPECT_HELP = `Usage: kahook inspect PID [--json]

Lists every TCP socket of process PID: addresses, state, SO_KEEPALIVE, TCP_KEEPIDLE,
TCP_KEEPINTVL, TCP_KEEPCNT, TCP_USER_TIMEOUT, and from TCP_INFO the keepalive probes sent,
retransmissions and the time since data was last received. Then what kahook's native library
counted in PID, read from its memory: sockets configured and failed, values kept, dead peers.
Needs Linux 5.6 or later and ptrace permission over PID (the same user, or root).
--json prints {"version": 2, "pid", "sockets", "libraries"}.
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

/** The version of --json's object; version 1 was the array of sockets alone, now its `sockets`. */
export const INSPECT_JSON_VERSION = 2;

export function inspect(args: Parsed): string {
  const pid = parsePid(args);
  const sockets = inspectProcess(pid);
  const libraries = processFigures(pid);
  if (args.switches.has("--json")) {
    return JSON.stringify({ version: INSPECT_JSON_VERSION, pid, sockets, libraries }, null, 2) + "\n";
  }
  return `${socketTable(pid, sockets)}\n${figuresText(pid, libraries)}`;
}

function socketTable(pid: number, sockets: SocketReport[]): string {
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

/** slotsUnpatched as a column names it: slots_unpatched. */
const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** What each kahook library of the process counted, or that it maps none. */
function figuresText(pid: number, libraries: LibraryFigures[]): string {
  if (libraries.length === 0) {
    return `process ${pid} maps no kahook library (kahook.node or libkahook.so): it runs no kahook, or only its ` +
      "JavaScript hooks, whose figures stats() reads inside the process\n";
  }
  return libraries.map(({ library, figures, problem }) => {
    if (!figures) return `kahook figures of ${library}: cannot be read: ${problem}\n`;
    const { totals, kept, sets } = figures;
    const setRows = sets.map((set) =>
      [set.name, set.configured, set.failed, ...CAUSES.map((cause) => set.dead[cause])].map(String)
    );
    return `kahook figures of ${library}:\n` +
      table([TOTALS.map(snakeCase), TOTALS.map((total) => String(totals[total]))]) +
      `kept: ${Object.entries(kept).map(([option, count]) => `${option} ${count}`).join(", ")}\n` +
      (setRows.length === 0 ? "no setting set counted a socket\n" : table([
        ["set", "configured", "failed", ...CAUSES.map((cause) => `dead_${cause}`)],
        ...setRows,
      ]));
  }).join("\n");
}
