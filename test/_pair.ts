/**
 * What the tests of `kahook run` around programs share: the CLI, and test/fixtures/run/pair.c
 * (and pair.go), which listen on loopback, connect to themselves and print their three sockets'
 * options, read back with getsockopt.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { root } from "./_repo.ts";
import { run } from "./_run.ts";

export const cli = join(root, "dist/src/cli.js");
export const PAIR_SOURCE = join(root, "test/fixtures/run/pair.c");

/** The kernel's settings: [tcp_keepalive_time s, tcp_keepalive_intvl s, tcp_keepalive_probes, tcp_syn_retries]. */
export const system = ["tcp_keepalive_time", "tcp_keepalive_intvl", "tcp_keepalive_probes", "tcp_syn_retries"].map((
  name,
) => Number(readFileSync(`/proc/sys/net/ipv4/${name}`, "utf8")));
/** The kernel's defaults, which an untouched socket reads back: [SO_KEEPALIVE, idle s, interval s, count, user timeout ms, SYN count]. */
export const UNTOUCHED = [0, system[0], system[1], system[2], 0, system[3]];

/** The fixture's readback; the window clamp (the last value) is left out, the kernel sizes it. */
export interface Pair {
  pid: number;
  listener: number[];
  accepted: number[];
  client: number[];
}
const withoutClamp = (values: number[]) => values.slice(0, 6);

/** The fixture's JSON line, the last of its output. */
export function readPair(stdout: string): Pair {
  const pair = JSON.parse(stdout.trim().split("\n").pop()!) as Pair;
  for (const role of ["listener", "accepted", "client"] as const) pair[role] = withoutClamp(pair[role]);
  return pair;
}

/** `kahook ARGS` with the environment given added to a clean one (no TCP_* or KAHOOK_* of the test's). */
export function kahook(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, [cli, ...args], env);
}
