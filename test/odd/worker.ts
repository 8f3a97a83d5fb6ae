// A worker thread connects to a server of the main thread and posts back what it read.
import { once } from "node:events";
import net from "node:net";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { HOST, listen, port } from "../_loopback.ts";

if (isMainThread) {
  const server = await listen(net.createServer((socket) => socket.end("hello, worker")));
  const worker = new Worker(new URL(import.meta.url), { workerData: port(server) });
  // Waited for from the start: Node may emit 'exit' in the same turn as the last 'message'.
  const exited = once(worker, "exit");
  const [reply] = await once(worker, "message");
  await exited;
  server.close();
  console.log(JSON.stringify({ reply }));
} else {
  let reply = "";
  for await (const chunk of net.connect(workerData as number, HOST)) reply += chunk;
  parentPort!.postMessage(reply);
}
