// The client of the load test: prints its usage, then answers stdin lines:
//   open PORT   opens CONNECTIONS connections to 127.0.0.1:PORT, at most WINDOW connecting at a
//               time, keeps them all open, replies with a sample readback, usage and seconds taken
//   closed      waits until the server has closed every connection, replies with usage
import net from "node:net";
import process from "node:process";
import { HOST } from "./_loopback.ts";
import { CONNECTIONS, sample, serve, until, usage } from "./_load.ts";

/** Connects in flight at once: well under the server's accept queue, so no SYN is dropped. */
const WINDOW = 500;
/** Ample for 10,000 loopback connections on a busy two-core machine, ms. */
const STEP_MS = 60_000;

let sockets: net.Socket[] = [];
let closed = 0;

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, HOST);
    socket.once("connect", () => resolve(socket)).once("error", reject);
    socket.once("close", () => closed++);
  });
}

process.stdout.write(`${JSON.stringify(usage())}\n`);
serve({
  async open(port) {
    const started = performance.now();
    sockets = [];
    closed = 0;
    for (let i = 0; i < CONNECTIONS; i += WINDOW) {
      const batch = Array.from({ length: Math.min(WINDOW, CONNECTIONS - i) }, () => connect(port));
      sockets.push(...(await Promise.all(batch)));
    }
    const seconds = (performance.now() - started) / 1000;
    return { open: sockets.length, seconds, samples: sample(sockets, "client"), ...usage() };
  },
  async closed() {
    await until(() => closed === sockets.length, STEP_MS, "client sockets closed by the server");
    sockets = [];
    return usage();
  },
});
