import { findFd } from "../src/fd/match.ts";
import { loadLibc } from "../src/ffi/index.ts";
import { currentPlatform } from "../src/sys/index.ts";
import { report } from "./_report.ts";

interface NetAddr {
  hostname: string;
  port: number;
}
interface Conn {
  localAddr: NetAddr;
  remoteAddr: NetAddr;
  close(): void;
}
interface DenoNet {
  listen(options: object): { addr: NetAddr; accept(): Promise<Conn>; close(): void };
  connect(options: object): Promise<Conn>;
}

/** Deno exposes no fd: the socket with these addresses, found by getsockname/getpeername. */
export function fdOf(local: NetAddr, remote?: NetAddr): number {
  const endpoint = ({ hostname, port }: NetAddr) => ({ address: hostname, port });
  const addresses = { local: endpoint(local), remote: remote && endpoint(remote) };
  const fd = findFd(loadLibc(), currentPlatform(), addresses);
  if (fd === undefined) throw new Error(`no socket has the addresses ${JSON.stringify(addresses)}`);
  return fd;
}

/** Deno.listen and Deno.connect: a listener, the socket it accepts and a client. */
export async function reportDenoNet(): Promise<void> {
  const deno = (globalThis as unknown as { Deno: DenoNet }).Deno;
  const listener = deno.listen({ hostname: "127.0.0.1", port: 0 });
  report("Deno.listen", "listener", fdOf(listener.addr));
  const [client, accepted] = await Promise.all([deno.connect(listener.addr), listener.accept()]);
  report("Deno.connect", "client", fdOf(client.localAddr, client.remoteAddr));
  report("Deno.listen", "accepted", fdOf(accepted.localAddr, accepted.remoteAddr));
  client.close();
  accepted.close();
  listener.close();
}
