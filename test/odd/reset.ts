// The server resets each connection on its first data (an RST, as SO_LINGER 0 sends, through
// resetAndDestroy); the client prints how its socket ended.
import net from "node:net";
import { HOST, listen, port } from "../_loopback.ts";

const server = await listen(net.createServer((socket) => socket.once("data", () => socket.resetAndDestroy())));
const client = net.connect(port(server), HOST);
client.write("hello");
const events: string[] = [];
client.on("connect", () => events.push("connect"));
client.on("end", () => events.push("end"));
client.on("error", (error: NodeJS.ErrnoException) => events.push(`error ${error.code}`));
// Not events.once: it would reject on the 'error' event this fixture reports.
await new Promise((resolve) => client.once("close", resolve));
server.close();
console.log(JSON.stringify({ events }));
