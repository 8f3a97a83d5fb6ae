// One server and one client on loopback; prints the readback of the listener, the accepted
// socket and the client.
import { once } from "node:events";
import net from "node:net";
import process from "node:process";
import { report } from "./_report.ts";

const server = net.createServer();
server.listen(0, "127.0.0.1");
await once(server, "listening");
report("pair", "listener", server);
const client = net.connect((server.address() as net.AddressInfo).port, "127.0.0.1");
const [[accepted]] = await Promise.all([once(server, "connection"), once(client, "connect")]);
report("pair", "accepted", accepted as net.Socket);
report("pair", "client", client);
process.exit(0);
