// Opens TCP connections until the fd limit is hit, then checks the program still gets the
// error Node gives and goes on.
import { once } from "node:events";
import net from "node:net";
import process from "node:process";

const MAX_CONNECTIONS = 1000;
const server = net.createServer();
server.listen(0, "127.0.0.1");
await once(server, "listening");
const { port } = server.address() as net.AddressInfo;
let code: string | undefined;
for (let i = 0; i < MAX_CONNECTIONS && code === undefined; i++) {
  try {
    // once() rejects with the socket's 'error'.
    await once(net.connect(port, "127.0.0.1"), "connect");
  } catch (error) {
    code = (error as NodeJS.ErrnoException).code;
  }
}
console.log(JSON.stringify({ code }));
process.exit(0);
