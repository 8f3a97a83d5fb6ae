// Connects to a loopback port nothing listens on (a server's, just closed) and prints the error.
import { once } from "node:events";
import net from "node:net";
import { HOST, listen, port } from "../_loopback.ts";

const server = await listen(net.createServer());
const closedPort = port(server);
server.close();
await once(server, "close");
const [error] = await once(net.connect(closedPort, HOST), "error").catch((error) => [error]);
console.log(JSON.stringify({ code: error.code, syscall: error.syscall }));
