/**
 * `kahook run` around real servers that are not JavaScript: Debian's nginx (a reverse proxy to a
 * backend in this process) and redis-server, each started under `node dist/src/cli.js run ...
 * -- SERVER`, which preloads the native interposer (LD_PRELOAD). The servers expose no fd, so
 * every socket is read back from outside their processes (pidfd_getfd + getsockopt,
 * src/remote/process.ts): nginx's listener, the connection it accepted and its kept-alive
 * upstream connection; Redis's listener and accepted connection. The configured values hold
 * where the servers set their own (nginx's `listen ... so_keepalive=30:10:5`, Redis's
 * `tcp-keepalive 300`, which sets 300/100/3 on each accepted socket), and controls without
 * `kahook run` show the servers' own values, so the readback can tell them apart. Last, a kept-
 * alive upstream connection whose backend vanishes (src/deadpeer/filter.ts) is closed by the
 * kernel within idle + interval × count inside nginx's worker, and stays open without kahook.
 * Needs root (the packet filter, and pidfd_getfd on nginx's worker), nginx and redis-server.
 */
import { readFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { listenLoopback, LOOPBACK } from "../../src/deadpeer/connection.ts";
import { dropAllTraffic } from "../../src/deadpeer/filter.ts";
import { loadLibc } from "../../src/runtimes/libc.ts";
import type { KeepAliveState } from "../../src/config/options.ts";
import { openProcess } from "../../src/remote/pidfd.ts";
import { tcpSockets } from "../../src/remote/proc.ts";
import { inspectProcess, type SocketReport } from "../../src/remote/process.ts";
import { assertConfigured, CONFIGURED_ENV } from "../_configured.ts";
import { assertDetected, GIVE_UP_MS, KEEPALIVE, KEEPALIVE_BOUND_MS, start } from "../_deadpeer.ts";
import type { Role } from "../_report.ts";
import { cleanEnv, packageRoot } from "../_run.ts";
import { assertStillOpen, type KernelClosure, POLL_MS, watchKernelClosure } from "../_watch.ts";
import { type NginxSite, startNginx } from "../_nginx.ts";
import { startRedis } from "../_redis.ts";
import { childPids, type RunningServer, type StartOptions } from "../_servers.ts";

/** `kahook run` as the CLI a user runs, built by `npx tsc -p .`, under this same Node. */
const KAHOOK_RUN = [process.execPath, join(packageRoot, "dist/src/cli.js"), "run"];

/** The four keepalive values as `kahook run`'s flags: idle 11 s, interval 7 s, 3 probes, user timeout 12345 ms. */
const FLAGS = ["--idle", "11", "--interval", "7", "--count", "3", "--user-timeout", "12345"];
/** FLAGS in getKeepAlive's units (ms for durations): none is at any default, nginx's or Redis's. */
const CONFIGURED = { enable: true, idle: 11_000, interval: 7_000, count: 3, userTimeout: 12_345 };

/** What nginx's `so_keepalive=30:10:5` sets on its listener, which accepted sockets inherit (strace: after listen(2)). */
const NGINX_OWN = { enable: true, idle: 30_000, interval: 10_000, count: 5, userTimeout: 0 };
/** What Redis's default `tcp-keepalive 300` sets on each accepted socket (anetKeepAlive; strace: 300, 300 / 3 = 100, 3). */
const REDIS_OWN = { enable: true, idle: 300_000, interval: 100_000, count: 3, userTimeout: 0 };

/** Generous for one loopback request and its answer. */
const ANSWER_TIMEOUT_MS = 10_000;
/** How long nginx may take to drop a connection the kernel closed from its upstream pool, ms. */
const POOL_DROP_MS = 2_000;

/** Run under `kahook run` with these flags (the environment cleared of TCP_* and KAHOOK_*), or with variables instead. */
const underKahook = (flags: string[], variables: Record<string, string> = {}): StartOptions => ({
  wrapper: [...KAHOOK_RUN, ...flags, "--"],
  env: { ...cleanEnv(), ...variables },
});
/** No kahook: the server with its own settings only, kahook's variables cleared all the same. */
const PLAIN: StartOptions = { env: cleanEnv() };

/** The keepalive part of a readback, to compare with CONFIGURED, NGINX_OWN or REDIS_OWN. */
function keepalive({ enable, idle, interval, count, userTimeout }: KeepAliveState) {
  return enable ? { enable, idle, interval, count, userTimeout } : { enable, userTimeout };
}

/** The name a process runs as (/proc/PID/comm), to show the readback is the server's, not kahook's Node. */
const comm = (pid: number) => readFileSync(`/proc/${pid}/comm`, "utf8").trim();

/**
 * A backend in this process: answers every HTTP request with a kept-alive 200 "ok", so nginx keeps
 * the upstream connection in its pool. Records the sockets it accepted; close() ends them all.
 */
async function backend(): Promise<{ port: number; accepted: net.Socket[]; close(): void }> {
  const accepted: net.Socket[] = [];
  const server = net.createServer((socket) => {
    accepted.push(socket);
    socket.on("error", () => {});
    let head = "";
    socket.on("data", (chunk: Buffer) => {
      head += chunk.toString("latin1");
      // nginx sends GET without a body: each head ends at its blank line.
      while (head.includes("\r\n\r\n")) {
        head = head.slice(head.indexOf("\r\n\r\n") + 4);
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nKeep-Alive: timeout=600\r\n\r\nok");
      }
    });
  });
  const port = await listenLoopback(server);
  return {
    port,
    accepted,
    close() {
      for (const socket of accepted) socket.destroy();
      server.close();
    },
  };
}

/** nginx proxying / to the backend with a pool of kept-alive upstream connections (HTTP/1.1, no `Connection: close`). */
const proxyTo = (backendPort: number, listen = ""): NginxSite => ({
  http: `upstream backend { server ${LOOPBACK}:${backendPort}; keepalive 4; }`,
  listen,
  server: `location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }`,
});

/**
 * Connects to the port, writes request and resolves once the answer is complete, with the
 * connection kept open (the caller destroys it). Rejects on an error, a close or after ANSWER_TIMEOUT_MS.
 */
function ask(
  port: number,
  request: string,
  complete: (answer: string) => boolean,
): Promise<{ socket: net.Socket; answer: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, LOOPBACK, () => socket.write(request));
    let answer = "";
    const fail = (error: Error) => (clearTimeout(timer), socket.destroy(), reject(error));
    const timer = setTimeout(
      () =>
        fail(new Error(`no complete answer on port ${port} within ${ANSWER_TIMEOUT_MS} ms: ${JSON.stringify(answer)}`)),
      ANSWER_TIMEOUT_MS,
    );
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString("latin1");
      if (!complete(answer)) return;
      clearTimeout(timer);
      socket.removeAllListeners("close");
      socket.on("error", () => {});
      resolve({ socket, answer });
    });
    socket.once("error", fail);
    socket.once("close", () => fail(new Error(`port ${port} closed the connection after ${JSON.stringify(answer)}`)));
  });
}

/** GET / through nginx on a kept-alive connection; resolves once the backend's "ok" arrived. */
async function getThrough(nginx: RunningServer): Promise<net.Socket> {
  const { socket, answer } = await ask(
    nginx.port,
    `GET / HTTP/1.1\r\nHost: ${LOOPBACK}\r\n\r\n`,
    (text) => text.includes("\r\n\r\nok"),
  );
  assert.match(answer, /^HTTP\/1\.1 200 /, "nginx's answer");
  assert.not.match(answer, /^connection: close/im, "nginx keeps the client connection open");
  return socket;
}

/** The sockets of nginx's workers, each read from outside: the master's children, running as nginx. */
function workerSockets(nginx: RunningServer): SocketReport[] {
  const workers = childPids(nginx.pid);
  assert.ok(workers.length > 0, `nginx's master (pid ${nginx.pid}) has no worker`);
  for (const worker of workers) assert.is(comm(worker), "nginx", `process ${worker}, a child of nginx's master`);
  return workers.flatMap((worker) => inspectProcess(worker));
}

/** The first socket that matches (each worker of nginx holds the listener; this test makes one connection of each kind). */
function find(sockets: SocketReport[], what: string, match: (socket: SocketReport) => boolean): SocketReport {
  const found = sockets.filter(match);
  assert.ok(
    found.length > 0,
    `no ${what} among ${JSON.stringify(sockets.map(({ local, remote, state }) => `${local} ${remote} ${state}`))}`,
  );
  return found[0];
}

/** nginx's three sockets of one proxied request: its listener, the client connection it accepted, and its upstream connection to the backend. */
interface ProxySockets {
  listener: SocketReport;
  accepted: SocketReport;
  upstream: SocketReport;
}

/** Starts a backend and nginx in front of it, sends one request through and reads nginx's worker sockets back. */
async function proxied(options: StartOptions, listen = ""): Promise<ProxySockets> {
  const upstream = await backend();
  let nginx: RunningServer | undefined;
  let client: net.Socket | undefined;
  try {
    nginx = await startNginx(proxyTo(upstream.port, listen), options);
    client = await getThrough(nginx);
    const sockets = workerSockets(nginx);
    const nginxPort = nginx.port;
    const clientPort = client.localPort;
    return {
      listener: find(
        sockets,
        "listener",
        ({ local, state }) => state === "LISTEN" && local === `${LOOPBACK}:${nginxPort}`,
      ),
      accepted: find(
        sockets,
        "accepted client connection",
        ({ remote, state }) => state === "ESTABLISHED" && remote === `${LOOPBACK}:${clientPort}`,
      ),
      upstream: find(
        sockets,
        "upstream connection",
        ({ remote, state }) => state === "ESTABLISHED" && remote === `${LOOPBACK}:${upstream.port}`,
      ),
    };
  } finally {
    client?.destroy();
    await nginx?.stop();
    upstream.close();
  }
}

test("kahook run -- nginx (TCP_* variables): its listener, the accepted client connection and the kept-alive upstream connection are configured", async () => {
  const sockets = await proxied(underKahook([], CONFIGURED_ENV));
  // CONFIGURED_ENV has every option kahook sets (TCP_SYNCNT, TCP_MAXSEG, TCP_WINDOW_CLAMP too); data flowed on both connections.
  const afterData: Record<Role, boolean> = { listener: false, accepted: true, client: true };
  for (
    const [role, socket] of [["listener", sockets.listener], ["accepted", sockets.accepted], [
      "client",
      sockets.upstream,
    ]] as const
  ) {
    assertConfigured({ path: "nginx under kahook run", role, state: socket.options }, afterData[role]);
  }
});

test("kahook run --idle 11 ... -- nginx with `listen ... so_keepalive=30:10:5`: the configured values hold over nginx's own", async () => {
  const { listener, accepted, upstream } = await proxied(underKahook(FLAGS), "so_keepalive=30:10:5");
  assert.equal(keepalive(listener.options), CONFIGURED, "nginx's listener");
  assert.equal(keepalive(accepted.options), CONFIGURED, "the client connection nginx accepted");
  assert.equal(keepalive(upstream.options), CONFIGURED, "nginx's upstream connection");
});

test("control: nginx with `so_keepalive=30:10:5` without kahook run reads back 30 s / 10 s / 5, and its upstream connection without keepalive", async () => {
  const { listener, accepted, upstream } = await proxied(PLAIN, "so_keepalive=30:10:5");
  assert.equal(keepalive(listener.options), NGINX_OWN, "nginx's listener");
  assert.equal(keepalive(accepted.options), NGINX_OWN, "the client connection nginx accepted");
  assert.equal(keepalive(upstream.options), { enable: false, userTimeout: 0 }, "nginx's upstream connection");
});

/** Starts redis-server, PINGs it on a connection kept open and reads back its listener and the connection it accepted. */
async function redisSockets(options: StartOptions): Promise<{ listener: SocketReport; accepted: SocketReport }> {
  const redis = await startRedis(options);
  let client: net.Socket | undefined;
  try {
    assert.is(comm(redis.pid), "redis-server", `process ${redis.pid}`);
    ({ socket: client } = await ask(redis.port, "PING\r\n", (answer) => answer.includes("\r\n")));
    const clientPort = client.localPort;
    const sockets = inspectProcess(redis.pid);
    return {
      listener: find(
        sockets,
        "listener",
        ({ local, state }) => state === "LISTEN" && local === `${LOOPBACK}:${redis.port}`,
      ),
      accepted: find(
        sockets,
        "accepted connection",
        ({ remote, state }) => state === "ESTABLISHED" && remote === `${LOOPBACK}:${clientPort}`,
      ),
    };
  } finally {
    client?.destroy();
    await redis.stop();
  }
}

test("kahook run --idle 11 ... -- redis-server: its listener and accepted connection hold the configured values, not tcp-keepalive's 300/100/3", async () => {
  const { listener, accepted } = await redisSockets(underKahook(FLAGS));
  assert.equal(keepalive(listener.options), CONFIGURED, "redis-server's listener");
  assert.equal(keepalive(accepted.options), CONFIGURED, "the connection redis-server accepted");
});

test("control: redis-server without kahook run sets tcp-keepalive's 300 s / 100 s / 3 on the accepted connection, its listener has none", async () => {
  const { listener, accepted } = await redisSockets(PLAIN);
  assert.equal(keepalive(listener.options), { enable: false, userTimeout: 0 }, "redis-server's listener");
  assert.equal(keepalive(accepted.options), REDIS_OWN, "the connection redis-server accepted");
});

/** Whether nginx's worker still holds the socket with this local address, polled for up to POOL_DROP_MS. */
async function stillPooled(worker: number, local: string): Promise<boolean> {
  for (const until = performance.now() + POOL_DROP_MS; performance.now() < until;) {
    if (!tcpSockets(worker).some((socket) => socket.local === local)) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return true;
}

interface Vanished {
  closure?: KernelClosure;
  /** Whether nginx's worker still held the upstream connection POOL_DROP_MS after the kernel closed it (detected runs only). */
  pooled?: boolean;
  /** Upstream connections the backend accepted after a second request through nginx, once the first was closed (detected runs only). */
  upstreams?: number;
}

/**
 * One request through nginx to a backend here; then the backend's end of the kept-alive upstream
 * connection vanishes (it drops every packet) and a duplicate of nginx's end, taken from its
 * worker, is watched until the kernel closes it.
 */
async function vanishBehindNginx(options: StartOptions): Promise<Vanished> {
  const upstream = await backend();
  const libc = loadLibc();
  let nginx: RunningServer | undefined;
  let client: net.Socket | undefined;
  let copy: number | undefined;
  try {
    nginx = await startNginx(proxyTo(upstream.port), options);
    client = await getThrough(nginx);
    // The keepalive idle time runs from the last packet nginx received on the upstream
    // connection, the backend's answer: the clock starts now, and the backend vanishes at once.
    const since = performance.now();
    assert.is(upstream.accepted.length, 1, "upstream connections the backend accepted");
    dropAllTraffic(upstream.accepted[0]);
    const [worker] = childPids(nginx.pid);
    const socket = tcpSockets(worker).find(({ remote }) => remote === `${LOOPBACK}:${upstream.port}`);
    assert.ok(socket, `nginx's worker (pid ${worker}) holds no connection to the backend's port ${upstream.port}`);
    assert.is(socket.state, "ESTABLISHED", "the pooled upstream connection");
    const handle = openProcess(libc, worker);
    try {
      copy = handle.duplicate(socket.fd);
    } finally {
      handle.close();
    }
    assert.ok(copy !== undefined, "nginx closed its upstream connection before it could be watched");
    const closure = await watchKernelClosure(copy, since);
    if (!closure) return {};
    // Once the kernel closed it, nginx drops it from its pool and the next request opens a new one.
    const pooled = await stillPooled(worker, socket.local);
    (await getThrough(nginx)).destroy();
    return { closure, pooled, upstreams: upstream.accepted.length };
  } finally {
    if (copy !== undefined) libc.close(copy);
    client?.destroy();
    await nginx?.stop();
    upstream.close();
  }
}

// Both scenarios start now and run side by side: each waits seconds on the kernel.
const BOUND_FLAGS = [
  "--idle",
  String(KEEPALIVE.idle / 1000),
  "--interval",
  String(KEEPALIVE.interval / 1000),
  "--count",
  String(KEEPALIVE.count),
];
const detected = start(() => vanishBehindNginx(underKahook(BOUND_FLAGS)));
const control = start(() => vanishBehindNginx(PLAIN));

test(`kahook run --idle 1 --interval 1 --count 2 -- nginx: a pooled upstream connection whose backend vanished is closed after idle + interval × count (${KEEPALIVE_BOUND_MS / 1000} s)`, async () => {
  const { closure, pooled, upstreams } = await detected;
  assertDetected("nginx upstream connection", closure, KEEPALIVE_BOUND_MS);
  assert.is(closure!.probes, KEEPALIVE.count, "unanswered keepalive probes when the kernel closed it");
  assert.is(pooled, false, `nginx still holds the closed upstream connection ${POOL_DROP_MS} ms later`);
  assert.is(upstreams, 2, "upstream connections after the next request through nginx: it opened a new one");
});

test(`control: without kahook run, nginx's pooled upstream connection is still open ${GIVE_UP_MS / 1000} s after the backend vanished`, async () => {
  const { closure } = await control;
  assertStillOpen(closure, "without kahook run");
});

test.run();
