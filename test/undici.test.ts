import diagnostics from "node:diagnostics_channel";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type net from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { getKeepAlive } from "../mod.ts";
import { keepAliveConnector } from "../src/undici.ts";
import { selfSignedCert } from "./_cert.ts";
import { loadUndici } from "./_undici.ts";

const { undici, version } = await loadUndici();
const paths = selfSignedCert();
const credentials = { key: readFileSync(paths.KAHOOK_TEST_KEY), cert: readFileSync(paths.KAHOOK_TEST_CERT) };
const options = { enable: true, idle: 11_000, interval: 7_000, count: 3, userTimeout: 12_345, maxSegment: 1000 };

type State = ReturnType<typeof getKeepAlive>;

/** Readbacks of the sockets the servers accepted, newest last; the servers are not configured. */
const accepted: State[] = [];
const reply = (_: http.IncomingMessage, response: http.ServerResponse) => response.end("ok");
async function listen(server: net.Server): Promise<string> {
  server.on("connection", (socket: net.Socket) => accepted.push(getKeepAlive(socket)));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}
const httpServer = http.createServer(reply);
const httpsServer = https.createServer(credentials, reply);
const httpOrigin = `http://${await listen(httpServer)}`;
const httpsOrigin = `https://${await listen(httpsServer)}`;

/** Readbacks of the sockets undici connects, taken when its diagnostics channel reports them (after the connector's callback). */
const connected: State[] = [];
diagnostics.subscribe("undici:client:connected", (message) => {
  connected.push(getKeepAlive((message as { socket: net.Socket }).socket));
});

function agent() {
  const connect = keepAliveConnector({
    options,
    connect: { ca: credentials.cert },
    buildConnector: undici.buildConnector,
  });
  return new undici.Agent({ connect });
}

/**
 * Only Node's handles take a socket made before connect(2); in Bun and Deno the connector sets the
 * options once connected, when TCP_MAXSEG no longer changes the MSS.
 */
const BEFORE_CONNECT = !("Bun" in globalThis) && !("Deno" in globalThis);

function assertConfigured(what: string): void {
  const { maxSegment, ...state } = connected.at(-1)!;
  // undici's own setKeepAlive(true, 60000) ran after connect; the connector's values are the ones in force.
  assert.equal({
    enable: state.enable,
    idle: state.idle,
    interval: state.interval,
    count: state.count,
    userTimeout: state.userTimeout,
  }, {
    enable: true,
    idle: 11_000,
    interval: 7_000,
    count: 3,
    userTimeout: 12_345,
  }, what);
  if (!BEFORE_CONNECT) return;
  assert.ok(maxSegment! <= 1000, `${what}: MSS ${maxSegment}`);
  // The server's socket can only have a small MSS if the client's SYN carried it.
  assert.ok(accepted.at(-1)!.maxSegment! <= 1000, `${what}: accepted side's MSS ${accepted.at(-1)!.maxSegment}`);
}

test(`undici ${version}: an http origin gets every option, before connect(2)`, async () => {
  const dispatcher = agent();
  const response = await undici.request(httpOrigin, { dispatcher });
  assert.is(await response.body.text(), "ok");
  assertConfigured("http");
  await dispatcher.close();
});

test(`undici ${version}: an https origin: undici's TLS with the CA given verifies the self-signed certificate`, async () => {
  const dispatcher = agent();
  for (let i = 0; i < 2; i++) {
    // reset: true closes the connection after the response, so the second request opens another.
    const response = await undici.request(httpsOrigin, { dispatcher, reset: true });
    assert.is(await response.body.text(), "ok");
    assertConfigured(`https #${i + 1}`);
  }
  await dispatcher.close();
});

// Bun's and Deno's fetch are their own, not undici.
if (BEFORE_CONNECT) {
  test(`undici ${version}: setGlobalDispatcher drives the built-in fetch through the connector`, async () => {
    const dispatcher = agent();
    undici.setGlobalDispatcher(dispatcher);
    const before = connected.length;
    assert.is(await (await fetch(httpOrigin)).text(), "ok");
    assert.is(connected.length, before + 1, "fetch opened one connection");
    assertConfigured("fetch");
    await dispatcher.close();
  });
}

test(`undici ${version}: rules choose the options by destination; undici's setKeepAlive leaves the rule's values in force`, async () => {
  const rule = { enable: true, idle: 22_000, interval: 5_000, count: 4, userTimeout: 54_321 };
  const connect = keepAliveConnector({
    options,
    rules: [{ address: "127.0.0.1", port: Number(new URL(httpsOrigin).port), options: rule }],
    connect: { ca: credentials.cert },
    buildConnector: undici.buildConnector,
  });
  const dispatcher = new undici.Agent({ connect });
  const keepAlive = ({ enable, idle, interval, count, userTimeout }: State) => ({
    enable,
    idle,
    interval,
    count,
    userTimeout,
  });
  await (await undici.request(httpsOrigin, { dispatcher })).body.text();
  assert.equal(keepAlive(connected.at(-1)!), rule, "https, by its rule");
  await (await undici.request(httpOrigin, { dispatcher })).body.text();
  assert.equal(keepAlive(connected.at(-1)!), keepAlive(options), "http, no rule matching");
  await dispatcher.close();
});

test("invalid options throw when the connector is built, not per connection", () => {
  assert.throws(() => keepAliveConnector({ options: { count: 0 }, buildConnector: undici.buildConnector }), /count/);
});

test.after(() => {
  httpServer.close();
  httpsServer.close();
});

test.run();
