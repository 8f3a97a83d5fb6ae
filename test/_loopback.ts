import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";

export const HOST = "127.0.0.1";

/** A self-signed certificate for 127.0.0.1, made with openssl for this test run. */
export function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), "kahook-cert-"));
  try {
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
      "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
    ], { stdio: "ignore" });
    return { key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem")) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function listen<S extends net.Server>(server: S): Promise<S> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, () => resolve(server));
  });
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
export async function tlsPair(credentials: { key: Buffer; cert: Buffer }): Promise<{ client: tls.TLSSocket; close(): void }> {
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
