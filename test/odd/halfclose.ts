// Half-close: the client ends its side after a question; the server (allowHalfOpen) reads to
// the end, then answers and ends its own. Prints what the client read after it had ended.
import net from "node:net";
import { HOST, listen, port } from "../_loopback.ts";

// Read with 'data' and 'end': a for-await loop would destroy the socket when it ends.
const server = await listen(net.createServer({ allowHalfOpen: true }, (socket) => {
  let question = "";
  socket.on("data", (chunk) => (question += chunk));
  socket.on("end", () => socket.end(`answer to "${question}", after your end`));
}));
const client = net.connect({ port: port(server), host: HOST, allowHalfOpen: true });
client.end("question");
let answer = "";
for await (const chunk of client) answer += chunk;
server.close();
console.log(JSON.stringify({ answer }));
