// The server of the load test: listens on loopback, prints {"port": N}, then answers stdin lines:
//   accepted N  waits until N connections are open, replies with a sample readback and usage
//   close       destroys every accepted socket (the server closes first, so TIME_WAIT stays on
//               the server's side and the client's ephemeral ports are free again), waits until
//               they are closed, replies with usage
import net from "node:net";
import process from "node:process";
import { HOST } from "./_loopback.ts";
import { sample, serve, until, usage } from "./_load.ts";

/** Ample for 10,000 loopback connections on a busy two-core machine, ms. */
const STEP_MS = 60_000;
/** The kernel caps the accept queue at net.core.somaxconn (4096 by default). */
const BACKLOG = 4096;

const open = new Set<net.Socket>();
const server = net.createServer((socket) => {
  open.add(socket);
  socket.on("error", () => {});
  socket.on("close", () => open.delete(socket));
});
server.listen({ port: 0, host: HOST, backlog: BACKLOG }, () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as net.AddressInfo).port, ...usage() })}\n`);
});

serve({
  async accepted(count) {
    await until(() => open.size >= count, STEP_MS, `${count} accepted`);
    return { open: open.size, samples: sample([...open], "accepted"), ...usage() };
  },
  async close() {
    for (const socket of open) socket.destroy();
    await until(() => open.size === 0, STEP_MS, "accepted sockets closed");
    return usage();
  },
});
