/**
 * Exit statuses of the kahook command and the preload, each with one meaning, so that a script
 * or supervisor can act on the status alone. Those above 3 are from sysexits.h or the shells.
 */

/** `kahook demo`: kahook's connection did not notice the vanished peer in time, or the other one did too. */
export const NOT_SHOWN = 1;
/** A bad command line, as most command-line tools report it. */
export const EX_USAGE = 2;
/** `kahook demo`: this machine cannot simulate a vanished peer (no CAP_NET_ADMIN, no user namespace). */
export const CANNOT_SIMULATE = 3;
/**
 * `kahook check --require-interposer`: the native interposer is not active in this runtime, so
 * the JavaScript hooks leave some sockets unconfigured (the output says why and which).
 */
export const INTERPOSER_NOT_ACTIVE = 4;
/** sysexits.h EX_UNAVAILABLE: the process given to inspect or apply does not exist (ESRCH). */
export const EX_UNAVAILABLE = 69;
/** sysexits.h EX_SOFTWARE: an error kahook did not expect, a bug; its stack trace is printed. */
export const EX_SOFTWARE = 70;
/** sysexits.h EX_OSERR: the kernel lacks what is needed (pidfd_getfd before Linux 5.6). */
export const EX_OSERR = 71;
/** sysexits.h EX_NOPERM: the system refused for want of a permission (ptrace over another user's process, a Deno permission). */
export const EX_NOPERM = 77;
/** sysexits.h EX_CONFIG: an invalid value, so a supervisor can tell it from the program failing. */
export const EX_CONFIG = 78;
/** What shells return when the command cannot be found or run. */
export const COMMAND_NOT_FOUND = 127;

const STATUSES: [number, string][] = [
  [0, "done (demo: the vanished peer was shown)"],
  [NOT_SHOWN, "demo: kahook's connection did not notice in time, or the one without it did too"],
  [EX_USAGE, "bad command line: unknown command or option, missing or extra argument"],
  [CANNOT_SIMULATE, "demo: this machine cannot simulate a vanished peer"],
  [INTERPOSER_NOT_ACTIVE, "check --require-interposer: the native interposer is not active (the output says why)"],
  [EX_UNAVAILABLE, "inspect, apply: no such process (EX_UNAVAILABLE)"],
  [EX_SOFTWARE, "an unexpected error in kahook, a bug: the stack trace says where (EX_SOFTWARE)"],
  [EX_OSERR, "inspect, apply: this kernel lacks pidfd_getfd (Linux 5.6 or later needed) (EX_OSERR)"],
  [EX_NOPERM, "permission denied: no ptrace permission over the process, or a Deno permission missing (EX_NOPERM)"],
  [EX_CONFIG, "configuration error: an invalid value; the message names the variable (EX_CONFIG)"],
  [COMMAND_NOT_FOUND, "run: COMMAND cannot be found or run"],
];

export const EXIT_HELP =
  `Exit statuses (kahook run exits with COMMAND's own status, or dies of its signal, once COMMAND runs):
${STATUSES.map(([status, meaning]) => `  ${String(status).padStart(3)}  ${meaning}`).join("\n")}
`;
