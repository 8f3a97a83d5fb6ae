// Two clients destroyed before they connect: one in the same tick as connect() (no connect(2)
// is made), one on the next turn of the event loop (connect(2) made, maybe not completed).
// Prints the events each emitted.
import { once } from "node:events";
import net from "node:net";
import { HOST, listen, port } from "../_loopback.ts";

const server = await listen(net.createServer((socket) => socket.destroy()));

async function destroyed(when: (destroy: () => void) => void): Promise<string[]> {
  const socket = net.connect(port(server), HOST);
  const events: string[] = [];
  for (const name of ["connect", "ready", "error", "close"]) socket.on(name, () => events.push(name));
  when(() => socket.destroy());
  await once(socket, "close");
  return events;
}

const sameTick = await destroyed((destroy) => destroy());
const nextTurn = await destroyed((destroy) => setImmediate(destroy));
server.close();
console.log(JSON.stringify({ sameTick, nextTurn: nextTurn.filter((event) => event === "close") }));
