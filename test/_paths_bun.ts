import { report } from "./_report.ts";

interface BunSocket {
  fd: number;
}
interface BunNet {
  listen(options: object): { port: number; fd: number; stop(closeActive?: boolean): void };
  connect(options: object): Promise<BunSocket & { end(): void }>;
}

/** Bun.listen and Bun.connect: a listener, the socket it accepts and a client, read back through their fds. */
export async function reportBunNet(): Promise<void> {
  const bun = (globalThis as unknown as { Bun: BunNet }).Bun;
  let accepted!: (socket: BunSocket) => void;
  const acceptedFd = new Promise<number>((resolve) => (accepted = (socket) => resolve(socket.fd)));
  const listener = bun.listen({ hostname: "127.0.0.1", port: 0, socket: { open: accepted, data() {} } });
  report("Bun.listen", "listener", listener.fd);
  const client = await bun.connect({ hostname: "127.0.0.1", port: listener.port, socket: { data() {} } });
  report("Bun.connect", "client", client.fd);
  report("Bun.listen", "accepted", await acceptedFd);
  client.end();
  listener.stop(true);
}
