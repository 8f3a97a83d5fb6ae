// Opens every client and server path a program can take in the runtime running it, against
// loopback servers, and prints the getsockopt readback of each socket. Run under the preload by
// paths.test.ts. Node's built-in fetch goes through node:net; Bun's and Deno's do not.
import diagnostics from "node:diagnostics_channel";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import net, { connect as namedConnect } from "node:net";
import process from "node:process";
import tls from "node:tls";
import { reportBunNet } from "./_paths_bun.ts";
import { reportDenoNet } from "./_paths_deno.ts";
import { report } from "./_report.ts";
import { loadUndici } from "./_undici.ts";

const credentials = {
  key: readFileSync(process.env.KAHOOK_TEST_KEY!),
  cert: readFileSync(process.env.KAHOOK_TEST_CERT!),
};

/** Listens on host and reports the listening socket and the first socket it accepts. */
async function serve(path: string, server: net.Server, host: string): Promise<number> {
  server.once("connection", (socket: net.Socket) => report(path, "accepted", socket));
  server.listen(0, host);
  await once(server, "listening");
  report(path, "listener", server);
  return (server.address() as net.AddressInfo).port;
}

const netPort = await serve("net.createServer", net.createServer(), "127.0.0.1");
const v6Port = await serve("new net.Server", new net.Server(), "::1");
const reply = (_: http.IncomingMessage, response: http.ServerResponse) => response.end("ok");
const httpPort = await serve("http.createServer", http.createServer(reply), "127.0.0.1");
const httpsPort = await serve("https.createServer", https.createServer(credentials, reply), "127.0.0.1");
const httpUrl = `http://127.0.0.1:${httpPort}/`;

async function connected<T extends net.Socket>(socket: T, event = "connect"): Promise<T> {
  await once(socket, event);
  return socket;
}

function reportClient(path: string, socket: net.Socket): void {
  report(path, "client", socket);
  socket.destroy();
}

reportClient("net.connect", await connected(net.connect(netPort, "127.0.0.1")));
reportClient("net.createConnection", await connected(net.createConnection({ port: netPort, host: "127.0.0.1" })));
reportClient("new net.Socket().connect", await connected(new net.Socket().connect(netPort, "127.0.0.1")));
reportClient("named ESM import", await connected(namedConnect(netPort, "127.0.0.1")));
reportClient("IPv6", await connected(net.connect(v6Port, "::1")));
const bound = net.connect({ port: netPort, host: "127.0.0.1", localAddress: "127.0.0.1" });
reportClient("localAddress", await connected(bound));

// Happy eyeballs: ::1 is tried first and refused (the server listens on IPv4 only), then IPv4.
const bothFamilies = ((_host: string, _options: unknown, callback: (e: null, all: object[]) => void) =>
  callback(null, [
    { address: "::1", family: 6 },
    { address: "127.0.0.1", family: 4 },
  ])) as unknown as net.LookupFunction;
const fallback = await connected(
  net.connect({ port: netPort, host: "kahook.test", lookup: bothFamilies, autoSelectFamily: true }),
);
if (fallback.remoteAddress !== "127.0.0.1") throw new Error(`happy eyeballs ended at ${fallback.remoteAddress}`);
reportClient("happy eyeballs fallback", fallback);

const ownCall = await connected(net.connect(netPort, "127.0.0.1"));
ownCall.setKeepAlive(true, 1000);
reportClient("setKeepAlive(true, 1000)", ownCall);

const defaultAgent = http.get(httpUrl);
const [plain] = await once(defaultAgent, "response");
report("http default agent", "client", plain.socket);
plain.resume();

// A keepAlive Agent calls setKeepAlive(true, keepAliveMsecs) when the socket goes back to its pool.
const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 2000 });
http.get(httpUrl, { agent }, (response) => response.resume());
const [pooled] = await once(agent, "free");
report("http keepAlive agent", "client", pooled);
agent.destroy();

// TLS sockets are read at TCP 'connect', before the handshake: once data flows, Linux's
// receive-buffer autotuning raises TCP_WINDOW_CLAMP (tcp_rcv_space_adjust) unless SO_RCVBUF is fixed.
const secure = https.get(`https://127.0.0.1:${httpsPort}/`, { rejectUnauthorized: false });
const [encrypted] = await once(secure, "socket");
report("https", "client", await connected(encrypted as net.Socket));
const [secureResponse] = await once(secure, "response");
secureResponse.resume();
const secureClient = tls.connect({ port: httpsPort, host: "127.0.0.1", rejectUnauthorized: false });
reportClient("tls.connect", await connected(secureClient));

// fetch and undici call setKeepAlive(true, 60000) on their sockets; this channel hands them out.
let undiciSocket: net.Socket | undefined;
diagnostics.subscribe("undici:client:connected", (message) => {
  undiciSocket = (message as { socket: net.Socket }).socket;
});
function reportUndici(path: string): void {
  if (!undiciSocket) throw new Error(`${path} opened no connection`);
  report(path, "client", undiciSocket);
  undiciSocket = undefined;
}

if (!("Bun" in globalThis) && !("Deno" in globalThis)) {
  await (await fetch(httpUrl)).text();
  reportUndici("fetch");
}

// Its own Agent: the global dispatcher is shared with the built-in fetch and would reuse its connection.
const { undici, version } = await loadUndici();
await (await undici.request(httpUrl, { dispatcher: new undici.Agent() })).body.text();
reportUndici(`undici ${version}`);

if ("Bun" in globalThis) await reportBunNet();
if ("Deno" in globalThis) await reportDenoNet();
process.exit(0);
