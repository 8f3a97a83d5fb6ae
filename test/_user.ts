/**
 * Commands run as Debian's nobody when the tests run as root, through setpriv, which execs.
 * Only CAP_DAC_READ_SEARCH stays: a clean clone may sit where nobody cannot read (under /root),
 * and what these tests take away is root's installing and its ptrace permission, not reading
 * the repository.
 */
import { chownSync } from "node:fs";
import process from "node:process";
import { findCommand } from "./_servers.ts";

const NOBODY = 65534;

/** The command to spawn for `command args` as nobody; as another user than root, unchanged. */
export function asNobody(command: string, args: string[]): { command: string; args: string[] } {
  if (process.getuid?.() !== 0) return { command, args };
  const keep = "+dac_read_search";
  return {
    command: findCommand("setpriv", "util-linux"),
    args: [
      `--reuid=${NOBODY}`,
      `--regid=${NOBODY}`,
      "--clear-groups",
      `--inh-caps=${keep}`,
      `--ambient-caps=${keep}`,
      "--",
      command,
      ...args,
    ],
  };
}

/** Makes a directory nobody's, for what it writes there (a home, a cache); as another user, leaves it. */
export function handToNobody(dir: string): void {
  if (process.getuid?.() === 0) chownSync(dir, NOBODY, NOBODY);
}
