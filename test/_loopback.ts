import { readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { dirname } from "node:path";
import tls from "node:tls";
import { listenLoopback, LOOPBACK } from "../src/deadpeer/connection.ts";
import { selfSignedCert } from "./_cert.ts";

export const HOST = LOOPBACK;

/** A self-signed certificate for 127.0.0.1, made with openssl for this test run, read into memory. */
export function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const { KAHOOK_TEST_KEY: key, KAHOOK_TEST_CERT: cert } = selfSignedCert();
  try {
    return { key: readFileSync(key), cert: readFileSync(cert) };
  } finally {
    rmSync(dirname(key), { recursive: true, force: true });
  }
}

export async function listen<S extends net.Server>(server: S): Promise<S> {
  await listenLoopback(server);
  return server;
}

export function port(server: net.Server): number {
  return (server.address() as net.AddressInfo).port;
}

/** A connected TCP client with its server; close() ends both. */
export async function tcpPair(): Promise<{ server: net.Server; client: net.Socket; close(): void }> {
  const accepted: net.Socket[] = [];
  const server = await listen(net.createServer((socket) => accepted.push(socket)));
  const client = net.connect(port(server), HOST);
  await new Promise((resolve, reject) => client.once("connect", resolve).once("error", reject));
  return {
    server,
    client,
    close() {
      client.destroy();
      for (const socket of accepted) socket.destroy();
      server.close();
    },
  };
}

/** A TLS client connected to a TLS server with a fresh self-signed certificate. */
export async function tlsPair(
  credentials: { key: Buffer; cert: Buffer },
): Promise<{ client: tls.TLSSocket; close(): void }> {
  const accepted: tls.TLSSocket[] = [];
  const server = await listen(tls.createServer(credentials, (socket) => accepted.push(socket)));
  const client = tls.connect({ port: port(server), host: HOST, ca: credentials.cert });
  await new Promise((resolve, reject) => client.once("secureConnect", resolve).once("error", reject));
  return {
    client,
    close() {
      client.destroy();
      for (const socket of accepted) socket.destroy();
      server.close();
    },
  };
}
