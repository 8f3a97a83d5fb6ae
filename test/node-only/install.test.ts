import { once } from "node:events";
import net from "node:net";
import process from "node:process";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { getKeepAlive, install, type KahookError, uninstall } from "../../mod.ts";
import { tcpPrototype } from "../../src/fallback/node.ts";
import { fails } from "../_fails.ts";
import { runRuntime, succeeded } from "../_run.ts";

const HOOKED = ["connect", "connect6", "listen", "setKeepAlive"] as const;
type Methods = Record<(typeof HOOKED)[number], unknown>;

function tcpMethods(): Methods {
  const prototype = tcpPrototype();
  return Object.fromEntries(HOOKED.map((name) => [name, prototype[name]])) as Methods;
}

async function clientState(host = "127.0.0.1") {
  const server = net.createServer().listen(0, host);
  await once(server, "listening");
  const client = net.connect((server.address() as net.AddressInfo).port, host);
  await once(client, "connect");
  const state = getKeepAlive(client);
  client.destroy();
  server.close();
  return state;
}

const original = tcpMethods();
const options = { enable: true, idle: 21_000, interval: 3_000, count: 4 };

test("install() with the interposer leaves Node's methods alone; installing again returns false", async () => {
  assert.is(install({ options }), true);
  assert.equal(tcpMethods(), original);
  assert.is(install({ options: { idle: 99_000 } }), false);
  assert.equal((await clientState()).idle, 21_000);
  assert.is(uninstall(), true);
  assert.is.not((await clientState()).idle, 21_000, "uninstall() restored the slots");
});

test("install() without the interposer wraps the four methods; installing again changes nothing and returns false", async () => {
  assert.is(install({ options, interposer: false }), true);
  const installed = tcpMethods();
  for (const name of HOOKED) assert.is.not(installed[name], original[name], name);
  assert.is(install({ options: { idle: 99_000 }, interposer: false }), false);
  assert.equal(tcpMethods(), installed);
  assert.equal((await clientState()).idle, 21_000);
});

test("uninstall() restores the originals, and new sockets are left alone", async () => {
  assert.is(uninstall(), true);
  assert.equal(tcpMethods(), original);
  assert.is(uninstall(), false);
  assert.is((await clientState()).enable, false);
});

test("invalid options throw KahookError at install and leave the prototype as it was", () => {
  fails(() => install({ options: { idle: -1 } }), { code: "KAHOOK_ERR_INVALID_OPTION" });
  assert.equal(tcpMethods(), original);
});

test("install() adds no signal, exit or uncaughtException handlers", () => {
  const events = ["SIGINT", "SIGTERM", "SIGHUP", "exit", "uncaughtException", "unhandledRejection"];
  const count = () => events.map((event) => process.listenerCount(event));
  const before = count();
  install({ options });
  const after = count();
  uninstall();
  assert.equal(after, before);
});

test("install({ options, rules }): a client to a rule's destination gets the rule's options, others the options", async () => {
  const rule = { enable: true, idle: 33_000, interval: 2_000, count: 5 };
  install({
    options,
    rules: [{ address: "127.0.0.0/30", port: 1, options: {} }, { address: "127.0.0.2", options: rule }],
  });
  try {
    const { enable, idle, interval, count } = await clientState("127.0.0.2");
    assert.equal({ enable, idle, interval, count }, rule);
    assert.equal((await clientState("127.0.0.1")).idle, options.idle);
  } finally {
    uninstall();
  }
});

test("invalid rules throw KahookError at install, naming the rule, and leave the prototype as it was", () => {
  assert.throws(
    () => install({ options, rules: [{ address: "10.0.0.1/8", options }] }),
    (error: KahookError) =>
      error.code === "KAHOOK_ERR_INVALID_OPTION" && error.message.startsWith(`rule 1: address "10.0.0.1/8"`),
  );
  assert.equal(tcpMethods(), original);
});

for (const subscribed of [true, false]) {
  test(`installing the hooks makes no connection${subscribed ? " that a subscriber of net.client.socket sees" : ""}; the program's own is seen and configured`, () => {
    // A fresh process, whose TCP prototype kahook has not reached yet.
    const app = `import diagnostics from "node:diagnostics_channel";
      import net from "node:net";
      import { getKeepAlive, install } from "kahook";
      const seen = [];
      if (${subscribed}) diagnostics.subscribe("net.client.socket", ({ socket }) => seen.push(socket.remotePort ?? "no port yet"));
      install({ options: { enable: true, idle: 23_000 }, interposer: false });
      const atInstall = seen.length;
      const server = net.createServer((socket) => socket.end()).listen(0, "127.0.0.1", () => {
        const client = net.connect(server.address().port, "127.0.0.1", () => {
          console.log(JSON.stringify({ atInstall, after: seen.length, idle: getKeepAlive(client).idle }));
          client.destroy();
          server.close();
        });
      });`;
    const result = JSON.parse(succeeded(runRuntime(["--input-type=module", "-e", app])));
    assert.equal(result, { atInstall: 0, after: subscribed ? 1 : 0, idle: 23_000 });
  });
}

test.run();
