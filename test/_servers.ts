/**
 * Real servers on loopback for the tests, whatever the server (test/_postgres.ts, test/_redis.ts
 * and test/_nginx.ts start Debian's PostgreSQL, Redis and nginx with it): each started in a fresh
 * temporary directory on a free 127.0.0.1 port, probed until it answers, and stopped by its pid. A
 * server that is not installed is an Error naming the Debian package: the test fails, it is not
 * skipped.
 * Works under Node, Bun and Deno (node:child_process through src/host/spawn.ts, node:net, node:fs).
 * @module
 */
import { Buffer } from "node:buffer";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import process from "node:process";
import { spawn } from "../src/host/spawn.ts";

export const HOST = "127.0.0.1";

/**
 * From the call (PostgreSQL: initdb included) to the first answer. Measured here: PostgreSQL 15
 * 1.15–1.5 s (initdb ≈ 1 s of it), Redis 7 0.06–0.09 s, under Node, Bun and Deno alike.
 */
const START_TIMEOUT_MS = 20_000;
/** From the stop signal to the exit; then SIGKILL, and as long again. */
const STOP_TIMEOUT_MS = 10_000;
/** One readiness probe: connect, ask, read the answer. */
const PROBE_TIMEOUT_MS = 1_000;
const PROBE_EVERY_MS = 50;
/** The free port is found by binding port 0 and closing it: another process may take it before the server binds it. */
const BIND_ATTEMPTS = 3;
/** The tail of the server's output kept for error messages. */
const LOG_LIMIT = 8_192;
/** Searched after PATH: root's PATH has the sbin directories, a user's may not. */
const SYSTEM_PATH = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

export interface RunningServer {
  /** The TCP port on HOST. */
  port: number;
  /** postgres://postgres@127.0.0.1:PORT/postgres (trust authentication) or redis://127.0.0.1:PORT. */
  url: string;
  /**
   * The server's own pid: the PostgreSQL postmaster, redis-server or nginx's master process (no
   * wrapper process in between: under StartOptions.wrapper, the wrapper's child).
   */
  pid: number;
  /** The temporary directory holding its data and (PostgreSQL) its unix socket; removed by stop(). */
  dir: string;
  /** From the call to the first answer, in ms (PostgreSQL: initdb included). */
  startupMs: number;
  /** Stops the server by its pid, waits for its exit and removes dir. Calling it again returns the same promise. */
  stop(): Promise<void>;
}

/** How to start a server other than plainly (startRedis, startNginx). */
export interface StartOptions {
  /**
   * A command the server runs under as its only child, such as
   * `node dist/src/cli.js run --idle 11 --`: the server's command line follows it.
   */
  wrapper?: readonly string[];
  /** The environment of the process spawned (the wrapper's, or the server's); this process's by default. */
  env?: NodeJS.ProcessEnv;
}

/** An executable on PATH or in the system directories; throws naming the Debian package when missing. */
export function findCommand(name: string, debianPackage: string, path = process.env.PATH ?? ""): string {
  for (const dir of [...path.split(delimiter).filter(Boolean), ...SYSTEM_PATH]) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(
    `${name} is not installed: install the Debian package ${debianPackage} (apt-get install ${debianPackage})`,
  );
}

/**
 * Waits for servers started together. When one fails (not installed, say), stops those that
 * started and throws its error: a server left running would keep the test file's process alive
 * until the runner's timeout.
 */
export async function startAll(starts: Promise<RunningServer>[]): Promise<RunningServer[]> {
  const outcomes = await Promise.allSettled(starts);
  const started = outcomes.flatMap((outcome) => outcome.status === "fulfilled" ? [outcome.value] : []);
  const failure = outcomes.find((outcome) => outcome.status === "rejected");
  if (failure === undefined) return started;
  await Promise.all(started.map((server) => server.stop()));
  throw failure.reason;
}

/**
 * The pids of the processes whose parent is pid (nginx's workers, the server under a wrapper),
 * from every /proc/N/stat: /proc/PID/task/TID/children needs CONFIG_PROC_CHILDREN, which not
 * every kernel has.
 */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // exited since the directory was read
    }
    // "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses, so split after the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === pid) children.push(Number(name));
  }
  return children.sort((a, b) => a - b);
}

/** Every descendant of pid, children before their own children. */
function descendants(pid: number): number[] {
  const found: number[] = [];
  for (const queue = [pid]; queue.length > 0;) {
    const children = childPids(queue.shift()!);
    found.push(...children);
    queue.push(...children);
  }
  return found;
}

/**
 * Connects to HOST:port, writes request, collects what the server sends until complete(received)
 * is true, then ends the connection (writing farewell first, if given). Rejects on a connection
 * error, on the server closing before complete, and after timeoutMs.
 */
export function exchange(
  port: number,
  request: Uint8Array,
  complete: (received: Buffer) => boolean,
  { timeoutMs = PROBE_TIMEOUT_MS, farewell }: { timeoutMs?: number; farewell?: Uint8Array } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const socket = net.connect(port, HOST);
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () =>
        fail(
          new Error(
            `no complete answer from ${HOST}:${port} within ${timeoutMs} ms (received ${
              JSON.stringify(received.toString("latin1"))
            })`,
          ),
        ),
      timeoutMs,
    );
    socket.once("connect", () => socket.write(request));
    socket.on("data", (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (!complete(received)) return;
      clearTimeout(timer);
      socket.removeAllListeners("close");
      socket.on("error", () => {});
      if (farewell) socket.end(farewell);
      else socket.end();
      setTimeout(() => socket.destroy(), 100).unref?.();
      resolve(received);
    });
    socket.once("error", fail);
    socket.once(
      "close",
      () =>
        fail(new Error(`${HOST}:${port} closed the connection after ${JSON.stringify(received.toString("latin1"))}`)),
    );
  });
}

/** A server as serve() starts it, in a fresh temporary directory of its own (kahook-NAME-...). */
export interface Serve extends StartOptions {
  name: string;
  /** performance.now() when the start began: START_TIMEOUT_MS and startupMs count from it. */
  started: number;
  /** What must be done in the directory before the server starts (PostgreSQL's initdb). */
  prepare?(dir: string): Promise<void>;
  command(port: number, dir: string): { binary: string; args: string[] };
  url(port: number): string;
  ready(port: number): Promise<boolean>;
  stopSignal: NodeJS.Signals;
}

/** A spawned server: its output's tail and its exit. */
interface Child {
  process: ChildProcess;
  pid: number;
  output(): string;
  exited: Promise<string>;
  hasExited(): boolean;
}

function start(binary: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Child {
  const child = spawn(binary, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-LOG_LIMIT));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  let done = false;
  const exited = new Promise<string>((resolve) => {
    child.once("error", (error) => ((done = true), resolve(`could not start: ${error.message}`)));
    child.once(
      "exit",
      (code, signal) => ((done = true), resolve(signal ? `killed by ${signal}` : `exited with code ${code}`)),
    );
  });
  if (child.pid === undefined) done = true;
  return { process: child, pid: child.pid ?? -1, output: () => output, exited, hasExited: () => done };
}

/** Resolves with the promise's value, or with undefined after ms; the timer does not outlive it. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs a server's setup command to its end (PostgreSQL's initdb), within START_TIMEOUT_MS of started
 * (performance.now() ms), the server's start included; throws with its output on failure.
 */
export async function runToEnd(
  name: string,
  binary: string,
  args: string[],
  cwd: string,
  started: number,
): Promise<void> {
  const child = start(binary, args, cwd);
  const how = await within(child.exited, Math.max(0, started + START_TIMEOUT_MS - performance.now()));
  if (how === undefined) {
    await kill(child, "SIGKILL");
    throw new Error(`${name} did not finish within ${START_TIMEOUT_MS / 1000} s:\n${child.output()}`);
  }
  if (how !== "exited with code 0") throw new Error(`${name} ${how}:\n${child.output()}`);
}

/**
 * Sends signal to the server by its pid (the child's own, or the server's under a wrapper, which
 * exits with it), waits STOP_TIMEOUT_MS for the child's exit, then SIGKILLs the child and every
 * descendant (nginx's workers outlive a killed master), and waits as long again.
 */
async function kill(child: Child, signal: NodeJS.Signals, server = child.pid): Promise<void> {
  for (const each of [signal, "SIGKILL"] as const) {
    if (child.hasExited()) return;
    for (const pid of each === "SIGKILL" ? [child.pid, ...descendants(child.pid)] : [server]) {
      try {
        process.kill(pid, each);
      } catch {
        // Already gone (ESRCH).
      }
    }
    if ((await within(child.exited, STOP_TIMEOUT_MS)) !== undefined) return;
  }
}

/** A free TCP port on HOST: bind port 0, read the port the kernel chose, close. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the server in a fresh temporary directory, on a free port of HOST, probes it until it
 * answers (or exits, or START_TIMEOUT_MS pass) and returns it running. The directory is removed
 * at its stop(), or here when the start fails.
 */
export async function serve(options: Serve): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), `kahook-${options.name}-`));
  try {
    await options.prepare?.(dir);
    return await startIn(dir, options);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

/** serve()'s start in dir; a port taken before the server bound it is tried again with another. */
async function startIn(dir: string, options: Serve): Promise<RunningServer> {
  const deadline = options.started + START_TIMEOUT_MS;
  for (let attempt = 1;; attempt++) {
    const port = await freePort();
    const server = options.command(port, dir);
    const [binary, ...args] = [...(options.wrapper ?? []), server.binary, ...server.args];
    const child = start(binary, args, dir, options.env);
    let lastProbe = "no probe yet";
    while (!child.hasExited() && performance.now() < deadline) {
      try {
        if (await options.ready(port)) {
          const pid = options.wrapper ? wrapped(child, options.name) : child.pid;
          let stopping: Promise<void> | undefined;
          return {
            port,
            url: options.url(port),
            pid,
            dir,
            startupMs: performance.now() - options.started,
            stop: () => (stopping ??= (async () => {
              await kill(child, options.stopSignal, pid);
              rmSync(dir, { recursive: true, force: true });
            })()),
          };
        }
        lastProbe = "not ready yet";
      } catch (error) {
        lastProbe = (error as Error).message;
      }
      await sleep(PROBE_EVERY_MS);
    }
    // A moment for the output of a server that exited to arrive.
    await within(child.exited, 200);
    const output = child.output();
    if (child.hasExited() && /address already in use/i.test(output) && attempt < BIND_ATTEMPTS) continue;
    const how = child.hasExited()
      ? await child.exited
      : `did not answer on ${HOST}:${port} within ${START_TIMEOUT_MS / 1000} s (last probe: ${lastProbe})`;
    await kill(child, "SIGKILL");
    throw new Error(`${options.name} ${how}:\n${output}`);
  }
}

/** The pid of the server a wrapper started: the wrapper's only child, which answered already. */
function wrapped(child: Child, name: string): number {
  const children = childPids(child.pid);
  if (children.length !== 1) {
    throw new Error(
      `the wrapper of ${name} (pid ${child.pid}) has ${children.length} child processes, not 1: ${children.join(", ")}`,
    );
  }
  return children[0];
}
