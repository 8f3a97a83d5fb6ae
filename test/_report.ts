import { getKeepAlive, type Target } from "../mod.ts";

/** Where a readback was taken: a client socket, a socket a server accepted, or a listening socket. */
export type Role = "client" | "accepted" | "listener";

/** One fixture line: what getsockopt reads on the socket behind `path`. */
export interface Readback {
  path: string;
  role: Role;
  state: ReturnType<typeof getKeepAlive>;
}

/** What getsockopt reads on the socket behind `path`, not the hooks' bookkeeping. */
export const readback = (path: string, role: Role, target: Target): Readback => ({
  path,
  role,
  state: getKeepAlive(target),
});

/** Prints one readback line as JSON. */
export function report(path: string, role: Role, target: Target): void {
  console.log(JSON.stringify(readback(path, role, target)));
}

/** Parses a fixture's stdout into its readback lines. */
export function readbacks(stdout: string): Readback[] {
  return stdout.trim().split("\n").filter(Boolean).map((line) => JSON.parse(line) as Readback);
}
