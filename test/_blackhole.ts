// Opens CONNECTIONS loopback connections to its own server, then makes the server's end of every
// VANISH_EVERY-th one vanish (it drops every packet, src/deadpeer/filter.ts). Run under the
// preload with short keepalive settings: it waits until each vanished connection's client has
// ended, or the deadline, and prints one JSON line:
//   {"vanished": [{"afterMs": 3050.1, "code": "ETIMEDOUT"} or null (still open), ...], "healthyOpen": N, "healthy": M}
// Usage: <runtime> [preload] _blackhole.js <connections> <vanish every> <deadline ms>
import net from "node:net";
import process from "node:process";
import { type Closure, watchClosure, within } from "../src/deadpeer/closure.ts";
import { listenLoopback, LOOPBACK } from "../src/deadpeer/connection.ts";
import { dropAllTraffic } from "../src/deadpeer/filter.ts";

const [connections, vanishEvery, deadlineMs] = process.argv.slice(2).map(Number);

const accepted = new Map<number, net.Socket>();
const server = net.createServer((socket) => {
  socket.on("error", () => {});
  accepted.set(socket.remotePort!, socket);
});
const port = await listenLoopback(server);

const clients = await Promise.all(Array.from({ length: connections }, () => new Promise<net.Socket>((resolve, reject) => {
  const socket = net.connect(port, LOOPBACK, () => resolve(socket));
  socket.once("error", reject);
})));
// Every client's accepted end, known by the client's port.
while (accepted.size < connections) await new Promise((resolve) => setTimeout(resolve, 10));

const since = performance.now();
const vanishing: Promise<Closure | undefined>[] = [];
const healthy: net.Socket[] = [];
clients.forEach((client, i) => {
  if (i % vanishEvery === 0) {
    dropAllTraffic(accepted.get(client.localPort!)!);
    vanishing.push(within(watchClosure(client, since), deadlineMs));
  } else {
    client.on("error", () => {});
    healthy.push(client);
  }
});
const vanished = await Promise.all(vanishing);
const healthyOpen = healthy.filter((socket) => !socket.destroyed).length;
console.log(JSON.stringify({ vanished: vanished.map((closure) => closure ?? null), healthyOpen, healthy: healthy.length }));
process.exit(0);
