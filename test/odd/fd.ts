// A connected TCP socket handed to a child process as its fd 3, which wraps it with
// `new net.Socket({ fd: 3 })` and writes through it. Prints what the server received.
// The child runs with this process's runtime flags (the preload included).
import { once } from "node:events";
import net from "node:net";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { HOST, listen, port } from "../_loopback.ts";
import { runtimeCommand, spawn } from "../../src/runtimes/spawn.ts";

/** The fd the child finds the socket at: the first after stdin, stdout and stderr. */
const INHERITED_FD = 3;

if (process.argv[2] === "child") {
  const socket = new net.Socket({ fd: INHERITED_FD, readable: true, writable: true });
  socket.end("written through an inherited fd");
  await once(socket, "finish");
  socket.destroy();
} else {
  const server = await listen(net.createServer());
  const received = new Promise<string>((resolve) => {
    server.once("connection", async (socket: net.Socket) => {
      let data = "";
      for await (const chunk of socket) data += chunk;
      resolve(data);
    });
  });
  const client = net.connect(port(server), HOST);
  await once(client, "connect");
  const { binary, args } = runtimeCommand(fileURLToPath(import.meta.url), process.execArgv);
  const child = spawn(binary, [...args, "child"], { stdio: ["ignore", "inherit", "inherit", client] });
  const [code] = await once(child, "exit");
  client.destroy();
  const data = await received;
  server.close();
  console.log(JSON.stringify({ data, code }));
}
