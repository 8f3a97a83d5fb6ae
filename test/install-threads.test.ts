/**
 * install() while the runtime's own fetch is connecting on its other threads: no fetch fails,
 * and every connection opened after install() returned is configured by the interposer (Bun's
 * and Deno's fetch reach it only through the interposer; stats() counts its sockets).
 */
import net from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { listenLoopback, LOOPBACK } from "../src/deadpeer/connection.ts";
import { runtime } from "../src/host/host.ts";
import { CONFIGURED_ENV } from "./_configured.ts";
import { startChild } from "./_fixture.ts";

/** Answers every request and closes the connection, so that each fetch connects anew. */
function closingServer(): net.Server {
  return net.createServer((socket) => {
    socket.on("error", () => {});
    socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));
  });
}

test(`${runtime}: install() while fetch connects on the runtime's threads: none fails, every later connection is configured`, async () => {
  const server = closingServer();
  const port = await listenLoopback(server);
  const child = startChild("fixtures/install/during-fetch", undefined, {
    ...CONFIGURED_ENV,
    FIXTURE_URL: `http://${LOOPBACK}:${port}/`,
  });
  try {
    const result = await child.next();
    console.log(`${runtime}: ${JSON.stringify(result)}`);
    assert.equal(result.failed, [], "fetches that failed");
    assert.is(result.ok, 30 * 8, "fetches that succeeded");
    assert.is(result.installed, true, "install()");
    assert.ok(
      result.afterInstall > 0 && result.configured >= result.afterInstall,
      `configured sockets: ${JSON.stringify(result)}`,
    );
  } finally {
    await child.stop();
    server.close();
  }
});

test.run();
