// Connects to each destination given as HOST:PORT (an IPv6 host in brackets) and prints the
// client's readback: through node:net, before and after setKeepAlive(true, 60000), and through
// Bun.connect or Deno.connect in those runtimes.
import { once } from "node:events";
import net from "node:net";
import process from "node:process";
import { fdOf } from "./_paths_deno.ts";
import { report } from "./_report.ts";

interface NetAddr {
  hostname: string;
  port: number;
}
type Runtime = {
  Bun?: { connect(options: object): Promise<{ fd: number; end(): void }> };
  Deno?: { connect(options: object): Promise<{ localAddr: NetAddr; remoteAddr: NetAddr; close(): void }> };
};
const { Bun: bun, Deno: deno } = globalThis as unknown as Runtime;

for (const destination of process.argv.slice(2)) {
  const [, host, port] = destination.match(/^\[?(.*?)\]?:(\d+)$/)!;
  const socket = net.connect(Number(port), host);
  await once(socket, "connect");
  report(`net.connect ${destination}`, "client", socket);
  socket.setKeepAlive(true, 60_000);
  report(`net.connect ${destination} after setKeepAlive(true, 60000)`, "client", socket);
  socket.destroy();
  if (bun) {
    const client = await bun.connect({ hostname: host, port: Number(port), socket: { data() {} } });
    report(`Bun.connect ${destination}`, "client", client.fd);
    client.end();
  }
  if (deno) {
    const client = await deno.connect({ hostname: host, port: Number(port) });
    report(`Deno.connect ${destination}`, "client", fdOf(client.localAddr, client.remoteAddr));
    client.close();
  }
}
process.exit(0);
