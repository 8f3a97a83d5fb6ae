/**
 * A real Redis server on loopback (test/_servers.ts), for the tests of the drivers that talk to it
 * (Bun's RedisClient) and of `kahook run` around it: Debian's redis-server.
 * @module
 */
import { Buffer } from "node:buffer";
import { exchange, findCommand, HOST, type RunningServer, serve, type StartOptions } from "./_servers.ts";

/**
 * Starts redis-server on HOST and a free port, with persistence off and its working directory a
 * fresh temporary one. As root it runs as root: Redis, unlike PostgreSQL, does not refuse to.
 */
export async function startRedis(options: StartOptions = {}): Promise<RunningServer> {
  const started = performance.now();
  const binary = findCommand("redis-server", "redis-server");
  return await serve({
    name: "redis-server",
    started,
    command: (port, dir) => ({
      binary,
      args: [
        "--port",
        String(port),
        "--bind",
        HOST,
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
        "--daemonize",
        "no",
      ],
    }),
    url: (port) => `redis://${HOST}:${port}`,
    ready: async (port) =>
      (await exchange(port, Buffer.from("PING\r\n"), lineComplete)).toString("latin1").startsWith("+PONG"),
    stopSignal: "SIGTERM",
    ...options,
  });
}

/** A reply line (Redis simple string or error) is complete at its CRLF. */
const lineComplete = (received: Buffer) => received.includes("\r\n");
