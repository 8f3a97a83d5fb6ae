import { readdirSync, readlinkSync } from "node:fs";
import type net from "node:net";
import process from "node:process";
import { getKeepAlive } from "../src/api/keepalive.ts";
import type { Readback, Role } from "./_report.ts";

/** Concurrent connections per round of the load test. */
export const CONNECTIONS = 10_000;

/** The state a load fixture reports after each step: its open fds and resident memory. */
export interface Usage {
  fds: number;
  /** The fds that are sockets: what a leak of kahook's (a socket it made, a dup) would add to. */
  sockets: number;
  /** Resident set size after a full garbage collection, MiB. */
  rssMiB: number;
  /** The JavaScript heap in use after a full garbage collection, MiB: where kahook's own objects would stay. */
  heapMiB: number;
}

/** Runtime flags that let a program collect garbage: Bun has Bun.gc without one. */
export const GC_FLAGS: Record<"node" | "bun" | "deno", string[]> = {
  node: ["--expose-gc"],
  bun: [],
  deno: ["--v8-flags=--expose-gc"],
};

/** A full, synchronous collection, so that RSS shows what is retained rather than garbage not yet collected. */
function collectGarbage(): void {
  const scope = globalThis as { gc?: () => void; Bun?: { gc(sync: boolean): void } };
  if (scope.Bun) scope.Bun.gc(true);
  else if (scope.gc) scope.gc();
  else throw new Error("no gc(): start the runtime with GC_FLAGS");
}

export function usage(): Usage {
  const fds = readdirSync("/proc/self/fd");
  const sockets = fds.filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith("socket:");
    } catch {
      return false; // the directory's own fd, closed once listed
    }
  }).length;
  collectGarbage();
  const { rss, heapUsed } = process.memoryUsage();
  return { fds: fds.length, sockets, rssMiB: rss / 2 ** 20, heapMiB: heapUsed / 2 ** 20 };
}

/** One socket in this many is read back: 100 of 10,000. */
const SAMPLE_EVERY = 100;

/** getsockopt's readback of every SAMPLE_EVERY-th socket, read inside this process. */
export function sample(sockets: readonly net.Socket[], role: Role): Readback[] {
  return sockets
    .filter((_, i) => i % SAMPLE_EVERY === 0)
    .map((socket, i) => ({ path: `load #${i * SAMPLE_EVERY}`, role, state: getKeepAlive(socket) }));
}

/** Answers each stdin line (a command, its argument after a space) with the handler's JSON; exits when stdin ends. */
export function serve(handlers: Record<string, (argument: number) => Promise<object> | object>): void {
  let queue = Promise.resolve();
  process.stdin.setEncoding("utf8");
  let buffered = "";
  process.stdin.on("data", (chunk) => {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const line of lines) {
      const [command, argument] = line.split(" ");
      queue = queue.then(async () => {
        const reply = await handlers[command](Number(argument));
        process.stdout.write(`${JSON.stringify(reply)}\n`);
      });
    }
  });
  process.stdin.on("end", () => process.exit(0));
}

/** Resolves when the condition holds, checking every 10 ms; rejects after `ms`. */
export async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
