// Holds a listener, a client and the socket it accepted on loopback, each with different
// options, and prints what getsockopt reads inside this process: first a line
// {"ready": [...]} with the sockets as "local remote", then on each stdin line "read" a line
// mapping each socket to getKeepAlive's readback. Exits when stdin closes.
import net from "node:net";
import process from "node:process";
import { getKeepAlive, setKeepAlive, type Target } from "../src/api/keepalive.ts";

const HOST = "127.0.0.1";
const server = net.createServer();
const accepted = new Promise<net.Socket>((resolve) => server.once("connection", resolve));
await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
const port = (server.address() as net.AddressInfo).port;
const client = net.connect(port, HOST);
await new Promise((resolve) => client.once("connect", resolve));
const peer = await accepted;

// Different values per socket, so that a listing that mixed sockets up would not match.
setKeepAlive(client, { enable: true, idle: 21_000, interval: 4_000, count: 5, userTimeout: 33_000 });
setKeepAlive(peer, { enable: true, idle: 9_000, count: 2 });

const sockets: Record<string, Target> = {
  [`${HOST}:${port} 0.0.0.0:0`]: server,
  [`${client.localAddress}:${client.localPort} ${HOST}:${port}`]: client,
  [`${HOST}:${port} ${peer.remoteAddress}:${peer.remotePort}`]: peer,
};
const print = (value: unknown) => process.stdout.write(JSON.stringify(value) + "\n");
print({ ready: Object.keys(sockets) });

let pending = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  pending += chunk;
  for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
    pending = pending.slice(end + 1);
    print(Object.fromEntries(Object.entries(sockets).map(([name, target]) => [name, getKeepAlive(target)])));
  }
});
process.stdin.on("end", () => {
  client.destroy();
  peer.destroy();
  server.close();
});
