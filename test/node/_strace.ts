// A server and as many clients as the first argument says, in one process, for strace.test.ts.
import { once } from "node:events";
import net from "node:net";
import process from "node:process";

const connections = Number(process.argv[2]);

const server = net.createServer();
server.listen(0, "127.0.0.1");
await once(server, "listening");
const { port } = server.address() as net.AddressInfo;
for (let i = 0; i < connections; i++) {
  const client = net.connect(port, "127.0.0.1");
  const [[accepted]] = await Promise.all([once(server, "connection"), once(client, "connect")]);
  client.destroy();
  (accepted as net.Socket).destroy();
}
process.exit(0);
