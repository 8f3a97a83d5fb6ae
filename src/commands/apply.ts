/**
 * `kahook apply <pid> [options] [--json]`: sets the options on every TCP socket of a running
 * process, without a restart, through duplicates of its fds (pidfd_getfd).
 * @module
 */
import process from "node:process";
import { configFromEnv } from "../config/env.ts";
import { applyToProcess } from "../remote/process.ts";
import { OPTION_HEADER, optionColumns, parsePid, SOCKET_HEADER, socketColumns, table } from "./inspect.ts";
import type { Parsed } from "./args.ts";
import { flagsEnv, RUN_OPTIONS } from "./run.ts";

export const APPLY_HELP = `Usage: kahook apply PID [options] [--json]

Sets on every TCP socket of process PID, listening, accepted and client alike, the
configuration that \`kahook run\` with the same options would give it (run's options and
variables; unset ones take kahook's defaults), and reports each socket's options after, or
its error. Needs what \`kahook inspect\` needs. Sockets the process opens later are not
touched: start it under \`kahook run\` for those.
`;

export const APPLY_OPTIONS = {
  values: RUN_OPTIONS.values,
  switches: [...RUN_OPTIONS.switches, "--json"],
  operands: ["PID"],
};

export function apply(args: Parsed, env: Record<string, string | undefined> = process.env): string {
  const pid = parsePid(args);
  const { options } = configFromEnv({ ...env, ...flagsEnv(args) });
  const reports = applyToProcess(pid, options);
  if (args.switches.has("--json")) return JSON.stringify(reports, null, 2) + "\n";
  if (reports.length === 0) return `process ${pid} has no TCP sockets\n`;
  return table([
    [...SOCKET_HEADER, ...OPTION_HEADER, "result"],
    ...reports.map((report) => [
      ...socketColumns(report),
      ...(report.options ? optionColumns(report.options) : OPTION_HEADER.map(() => "")),
      report.error ?? "ok",
    ]),
  ]);
}
