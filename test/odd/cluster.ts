// Two cluster workers listen through the primary; the primary connects four times and prints
// what the workers answered. Under the preload the workers are preloaded too (execArgv).
import cluster from "node:cluster";
import net from "node:net";
import { HOST } from "../_loopback.ts";

const WORKERS = 2;
const CONNECTIONS = 4;

if (cluster.isPrimary) {
  const listening = new Promise<number>((resolve) => cluster.on("listening", (_worker, address) => resolve(address.port)));
  for (let i = 0; i < WORKERS; i++) cluster.fork();
  const port = await listening;
  const replies: string[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    let reply = "";
    for await (const chunk of net.connect(port, HOST)) reply += chunk;
    replies.push(reply);
  }
  // The callback runs once every worker has disconnected.
  await new Promise<void>((resolve) => cluster.disconnect(resolve));
  console.log(JSON.stringify({ replies }));
} else {
  net.createServer((socket) => socket.end("served by a worker")).listen(0, HOST);
}
