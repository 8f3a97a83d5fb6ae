/**
 * A client in a process of its own, for scenarios whose client runs with other flags than the
 * test (a preload). It connects to 127.0.0.1:<port>, sets the options given as JSON with
 * setKeepAlive (none: it relies on whatever its runtime loaded), prints {"event":"connected"},
 * and reports how its socket ended as test/_ending describes, having written <pending bytes>
 * once told its peer vanished.
 * Usage: <runtime> _client.js <port> <deadline ms> <pending bytes> [options JSON]
 */
import net from "node:net";
import process from "node:process";
import { setKeepAlive } from "../src/api/keepalive.ts";
import { LOOPBACK } from "../src/deadpeer/connection.ts";
import { report, reportEnding } from "./_ending.ts";

const [port, deadlineMs, pendingBytes, options] = process.argv.slice(2);

const socket = net.connect(Number(port), LOOPBACK, () => {
  if (options) setKeepAlive(socket, JSON.parse(options));
  report({ event: "connected" });
  void reportEnding(socket, Number(deadlineMs), Number(pendingBytes));
});
