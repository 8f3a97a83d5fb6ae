/**
 * The per-connection workload: sequential loopback connections (connect, accept, close),
 * client and server in this process. The contender is chosen by the parent: through a preload
 * or LD_PRELOAD in the environment, or, for the in-program ones, by BENCH_CONTENDER:
 *   setKeepAlive   the runtime's own socket.setKeepAlive(true, 15000) on each client
 *   net-keepalive  setKeepAlive plus the npm package's interval, probes and user timeout
 * Prints one JSON line: the first connection's time (ms), µs per connection after a warm-up,
 * and RSS and open fds after the warm-up and at the end.
 */
import { readdirSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import process from "node:process";

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 2_000);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 200);
const CONTENDER = process.env.BENCH_CONTENDER ?? "none";

type OnConnect = (socket: net.Socket) => void;

function inProgramContender(): OnConnect {
  switch (CONTENDER) {
    case "setKeepAlive":
      return (socket) => socket.setKeepAlive(true, 15_000);
    case "net-keepalive": {
      const NetKeepAlive = createRequire(import.meta.url)("net-keepalive");
      return (socket) => {
        socket.setKeepAlive(true, 15_000);
        NetKeepAlive.setKeepAliveInterval(socket, 15_000);
        NetKeepAlive.setKeepAliveProbes(socket, 9);
        NetKeepAlive.setUserTimeout(socket, 150_000);
      };
    }
    default:
      return () => {};
  }
}

/** One connection: the server closes first, so TIME_WAIT lands on its side, not on our ports. */
function connectOnce(port: number, onConnect: OnConnect): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => onConnect(socket));
    socket.on("error", reject);
    socket.on("close", () => resolve());
    socket.resume();
  });
}

const usage = () => ({ rss: process.memoryUsage().rss, fds: readdirSync("/proc/self/fd").length });

const server = net.createServer((socket) => socket.destroy());
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const port = (server.address() as net.AddressInfo).port;
const onConnect = inProgramContender();

const firstStarted = performance.now();
await connectOnce(port, onConnect);
const firstConnectionMs = performance.now() - firstStarted;
for (let i = 0; i < WARMUP; i++) await connectOnce(port, onConnect);
const before = usage();
const started = performance.now();
for (let i = 0; i < CONNECTIONS; i++) await connectOnce(port, onConnect);
const elapsed = performance.now() - started;
const after = usage();
server.close();
process.stdout.write(
  JSON.stringify({
    contender: CONTENDER,
    connections: CONNECTIONS,
    firstConnectionMs,
    usPerConnection: (elapsed * 1000) / CONNECTIONS,
    before,
    after,
  }) + "\n",
);
