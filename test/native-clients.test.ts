/**
 * The sockets a runtime's own native clients open (Bun fetch, Bun.sql, RedisClient, WebSocket,
 * Deno fetch, connectTls, startTls, Deno.serve, Deno.listenTls, Bun.serve), a C library's through
 * the runtime's FFI and a Node-API addon's: none exposes an fd, so each is read back from outside
 * the fixture (pidfd_getfd + getsockopt), with every configured option, after the runtime's own
 * keepalive calls (Bun fetch's and Bun.sql's 60/1/10, setKeepAlive, undici's) too. Each runtime
 * checks its own fixture in test/fixtures/clients/; Bun.sql and RedisClient talk to real servers.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import tls from "node:tls";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { inspectProcess, type SocketReport } from "../src/remote/process.ts";
import { execFileSync } from "../src/host/spawn.ts";
import { assertConfigured, CONFIGURED_ENV } from "./_configured.ts";
import { startCommand } from "./_fixture.ts";
import { ARM64_RUNTIMES, BUN_MUSL, bunMuslEnv, DEBIAN, platform } from "./_platforms.ts";
import { HOST, listen, port } from "./_loopback.ts";
import { root } from "./_repo.ts";
import type { Role } from "./_report.ts";
import { here, NO_PRELOAD, PRELOADS } from "./_run.ts";
import { startPostgres } from "./_postgres.ts";
import { startRedis } from "./_redis.ts";
import type { RunningServer } from "./_servers.ts";

const family = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

/** A socket the fixture must hold: a client found by its server's port (ports[key]), a listener or accepted socket by the listener's (listeners[key]). */
interface Expected {
  name: string;
  role: Role;
  key: string;
}
const client = (name: string, key: string): Expected => ({ name, role: "client", key });
const served = (name: string, key: string): Expected[] => [
  { name: `${name} listener`, role: "listener", key },
  { name: `${name} accepted`, role: "accepted", key },
];

const EXPECTED: Record<typeof family, Expected[]> = {
  bun: [
    client("Bun fetch", "fetch"),
    client("Bun.sql (PostgreSQL)", "sql"),
    client("Bun RedisClient", "redis"),
    client("Bun WebSocket client", "websocket"),
    client("Bun node:net client after setKeepAlive(true, 60000)", "net"),
    client("C library through bun:ffi", "library"),
    ...served("Bun.serve", "serve"),
  ],
  deno: [
    client("Deno fetch", "fetch"),
    client("Deno.connectTls", "connectTls"),
    client("Deno.connect + Deno.startTls", "startTls"),
    client("Deno WebSocket client", "websocket"),
    client("C library through Deno.dlopen", "library"),
    ...served("Deno.serve", "serve"),
    ...served("Deno.listenTls", "listenTls"),
  ],
  node: [
    client("Node node:net client after setKeepAlive(true, 60000)", "net"),
    client("Node fetch (undici)", "fetch"),
    client("Node-API addon's own socket", "addon"),
    client("C library through koffi", "library"),
  ],
};

/** Without the preload: the runtime's own values, which the readback must be able to tell from the configured ones. */
const CONTROL: Record<typeof family, { key: string; state: Record<string, unknown> }> = {
  bun: { key: "fetch", state: { enable: true, idle: 60_000, interval: 1_000, count: 10, userTimeout: 0 } },
  deno: { key: "fetch", state: { enable: false, userTimeout: 0 } },
  node: { key: "net", state: { enable: true, idle: 60_000, userTimeout: 0 } },
};

const expected = EXPECTED[family];
const TLS_CLIENTS = new Set(["connectTls", "startTls"]);
const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** Generous for one loopback handshake with the fixture's listener. */
const PEER_TIMEOUT_MS = 10_000;

const dir = mkdtempSync(join(tmpdir(), "kahook-clients-"));

/**
 * A certificate for 127.0.0.1 signed by a CA of its own, made with openssl: Deno's rustls refuses
 * _cert.ts's self-signed one (a CA certificate used as the end entity: CaUsedAsEndEntity).
 */
function certificateChain(): { ca: string; cert: string; key: string } {
  const [ca, caKey, cert, key] = ["ca.pem", "ca-key.pem", "cert.pem", "key.pem"].map((name) => join(dir, name));
  const request = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"];
  execFileSync("openssl", [...request, "-subj", "/CN=kahook test CA", "-keyout", caKey, "-out", ca], {
    stdio: "ignore",
  });
  execFileSync("openssl", [
    ...request,
    "-CA",
    ca,
    "-CAkey",
    caKey,
    "-subj",
    "/CN=127.0.0.1",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
    "-addext",
    "basicConstraints=critical,CA:FALSE",
    "-keyout",
    key,
    "-out",
    cert,
  ], { stdio: "ignore" });
  return { ca, cert, key };
}
const certificate = certificateChain();
const credentials = { key: readFileSync(certificate.key), cert: readFileSync(certificate.cert) };
const ca = readFileSync(certificate.ca);
const ports: Record<string, number> = {};
const servers: net.Server[] = [];
/** PostgreSQL and Redis, by the key of the client that talks to them. */
const databases = new Map<string, RunningServer>();
/** Every socket the test's servers accepted, destroyed at the end so that no server waits on one. */
const held = new Set<net.Socket>();

function hold(socket: net.Socket): void {
  held.add(socket);
  socket.on("error", () => {});
  socket.once("close", () => held.delete(socket));
}

/**
 * Answers a GET with a kept-alive 200 and a WebSocket upgrade with its 101, then holds the
 * connection: one server for fetch, WebSocket and plain TCP clients, raw node:net so that it
 * behaves alike under Node, Bun and Deno.
 */
function httpServer(): net.Server {
  return net.createServer((socket) => {
    hold(socket);
    let head = "";
    let upgraded = false;
    socket.on("data", (chunk) => {
      if (upgraded) return;
      head += chunk.toString("latin1");
      if (!head.includes("\r\n\r\n")) return;
      const key = /^sec-websocket-key:\s*(\S+)/im.exec(head)?.[1];
      head = "";
      if (key) {
        upgraded = true;
        const accept = createHash("sha1").update(key + WEBSOCKET_GUID).digest("base64");
        socket.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
        );
      } else {
        socket.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok");
      }
    });
  });
}

/** The C library the fixture loads through its runtime's FFI, for each arch. */
const LIBRARY = { x64: join(dir, "libconnect.so"), arm64: join(dir, "libconnect-arm64.so") };

test.before(async () => {
  const source = (name: string) => join(root, "test/fixtures/clients", name);
  const flags = ["-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-shared", "-fPIC"];
  for (const arch of ["x64", "arm64"] as const) {
    const [compiler, ...own] = DEBIAN[arch].compiler;
    execFileSync(compiler!, [...own, ...flags, "-o", LIBRARY[arch], source("connect.c")]);
  }
  if (family === "node") {
    execFileSync("cc", [...flags, "-o", join(dir, "addon.node"), source("addon.c"), source("connect.c")]);
  }
  for (const { key, role } of expected) {
    if (role !== "client") continue;
    if (key === "sql" || key === "redis") {
      const database = await (key === "sql" ? startPostgres() : startRedis());
      databases.set(key, database);
      ports[key] = database.port;
    } else {
      const server = await listen(TLS_CLIENTS.has(key) ? tls.createServer(credentials, hold) : httpServer());
      servers.push(server);
      ports[key] = port(server);
    }
  }
});

test.after(async () => {
  for (const socket of held) socket.destroy();
  for (const server of servers) server.close();
  await Promise.all([...databases.values()].map((database) => database.stop()));
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves when the event fires on the socket, rejects on its error or after PEER_TIMEOUT_MS. */
function once(socket: net.Socket, event: string, what: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what}: no ${event} within ${PEER_TIMEOUT_MS} ms`)),
      PEER_TIMEOUT_MS,
    );
    socket.once(event, () => (clearTimeout(timer), resolve(socket)));
    socket.once("error", (error) => (clearTimeout(timer), reject(error)));
  });
}

/** Connects to one of the fixture's listeners until it has surely accepted: an HTTP answer, or a finished TLS handshake. */
function connectTo(key: string, listener: number): Promise<net.Socket> {
  if (key === "listenTls") return once(tls.connect({ host: HOST, port: listener, ca }), "secureConnect", key);
  const socket = net.connect(listener, HOST, () => socket.write(`GET / HTTP/1.1\r\nHost: ${HOST}\r\n\r\n`));
  return once(socket, "data", key);
}

interface Inspected {
  sockets: SocketReport[];
  listeners: Record<string, number>;
  failed: Record<string, string>;
}

/** A build of this runtime: the command that starts it, its variables, and its arch. */
interface Runtime {
  command: readonly string[];
  env: Record<string, string>;
  arch: keyof typeof LIBRARY;
}
const THIS_RUNTIME: Runtime = { command: [process.execPath], env: {}, arch: "x64" };

/**
 * Starts this runtime's fixture with the runtime arguments given (under another build of the
 * runtime if given), connects to its listeners and reads every TCP socket it holds.
 */
async function inspectFixture(args: readonly string[], runtime = THIS_RUNTIME): Promise<Inspected> {
  const config = {
    ports,
    postgres: databases.get("sql")?.url,
    redis: databases.get("redis")?.url,
    ...certificate,
    library: LIBRARY[runtime.arch],
    addon: join(dir, "addon.node"),
  };
  const name = `fixtures/clients/${family}`;
  const child = startCommand(name, [...runtime.command, ...args, here(name)], {
    ...CONFIGURED_ENV,
    ...runtime.env,
    FIXTURE_CLIENTS: JSON.stringify(config),
  });
  const peers: net.Socket[] = [];
  try {
    const { listeners, failed } = await child.next();
    for (const [key, listener] of Object.entries(listeners as Record<string, number>)) {
      peers.push(await connectTo(key, listener));
    }
    return { sockets: inspectProcess(child.pid), listeners, failed };
  } finally {
    for (const peer of peers) peer.destroy();
    await child.stop();
  }
}

const portOf = (address: string) => Number(address.slice(address.lastIndexOf(":") + 1));

/** The expected socket a readback is, if any. */
function identify({ local, remote, state }: SocketReport, { listeners }: Inspected): Expected | undefined {
  return expected.find(({ role, key }) =>
    role === "client"
      ? portOf(remote) === ports[key]
      : portOf(local) === listeners[key] && (role === "listener") === (state === "LISTEN")
  );
}

/** Every socket the fixture holds is an expected one, configured, and every expected one is there. */
function assertEveryConfigured(inspected: Inspected): void {
  assert.equal(inspected.failed, {}, "clients that did not open");
  const found = new Set<string>();
  for (const socket of inspected.sockets) {
    const which = identify(socket, inspected);
    const role: Role = which?.role ?? (socket.state === "LISTEN" ? "listener" : "client");
    const name = which?.name ?? `unexpected socket ${socket.local} → ${socket.remote}`;
    found.add(name);
    assertConfigured({ path: name, role, state: socket.options }, role !== "listener");
  }
  for (const { name } of expected) assert.ok(found.has(name), `${name}: no such socket in the fixture`);
}

for (const preload of PRELOADS) {
  test(`${preload.name}: every TCP socket of the ${family} fixture reads back configured: ${expected.map(({ name }) => name).join(", ")}`, async () => {
    assertEveryConfigured(await inspectFixture(preload.args));
  });
}

if (family === "bun") {
  // The same fixture and preload in Bun's build for musl, whose bun:ffi loads the one interposer
  // library built here against glibc.
  test(`Bun for musl, ${PRELOADS[0]!.name}: every TCP socket of the bun fixture reads back configured`, async () => {
    const runtime: Runtime = {
      command: [BUN_MUSL],
      env: { ...platform("musl-x64").env, ...bunMuslEnv(dir) },
      arch: "x64",
    };
    assertEveryConfigured(await inspectFixture(PRELOADS[0]!.args, runtime));
  });
}

if (family === "bun" || family === "deno") {
  // The same fixture and preload in this runtime's build for arm64 under qemu-user: the preload
  // loads the arm64 interposer.
  test(`${family} for arm64 under qemu-user, ${PRELOADS[0]!.name}: every TCP socket of the ${family} fixture reads back configured`, async () => {
    const runtime: Runtime = { command: [...DEBIAN.arm64.emulator, ARM64_RUNTIMES[family]], env: {}, arch: "arm64" };
    assertEveryConfigured(await inspectFixture(PRELOADS[0]!.args, runtime));
  });
}

const control = CONTROL[family];
test(`without the preload, ${expected.find(({ key }) => key === control.key)!.name} reads back the runtime's own ${JSON.stringify(control.state)}`, async () => {
  const inspected = await inspectFixture(NO_PRELOAD);
  const { key, state } = control;
  const socket = inspected.sockets.find((each) => identify(each, inspected)?.key === key);
  assert.ok(socket, `${key}: no such socket in the fixture (${inspected.failed[key] ?? "it opened"})`);
  for (const [option, value] of Object.entries(state)) {
    assert.is(socket.options[option as keyof typeof socket.options], value, `${key}: ${option}`);
  }
});

test.run();
