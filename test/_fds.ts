// Opens and closes as many loopback connections as the first argument says, and prints the
// process's open fd count before and after.
import { once } from "node:events";
import { readdirSync } from "node:fs";
import net from "node:net";
import process from "node:process";

const connections = Number(process.argv[2]);
const openFds = () => readdirSync("/proc/self/fd").length;

const server = net.createServer();
server.listen(0, "127.0.0.1");
await once(server, "listening");
const { port } = server.address() as net.AddressInfo;
// One connection first, so that whatever the runtime opens once (its event loop's fds) is counted in both.
async function connection(): Promise<void> {
  const client = net.connect(port, "127.0.0.1");
  const [[accepted]] = await Promise.all([once(server, "connection"), once(client, "connect")]);
  client.setKeepAlive(true, 1000);
  client.destroy();
  (accepted as net.Socket).destroy();
  await once(client, "close");
}
await connection();
const before = openFds();
for (let i = 0; i < connections; i++) await connection();
// Closed sockets leave the fd table when the runtime has run their close callbacks.
await new Promise((resolve) => setTimeout(resolve, 100));
console.log(JSON.stringify({ before, after: openFds() }));
process.exit(0);
