/**
 * A server in a process of its own, for scenarios whose server runs with other flags than the
 * test (a preload). It sets no option itself. It listens on 127.0.0.1, prints
 * {"event":"listening","port":N}, and reports how the first socket it accepts ended, as
 * test/_ending describes.
 * Usage: <runtime> _server.js <deadline ms>
 */
import net from "node:net";
import process from "node:process";
import { listenLoopback } from "../src/deadpeer/connection.ts";
import { report, reportEnding } from "./_ending.ts";

const deadlineMs = Number(process.argv[2]);

const server = net.createServer(async (socket) => {
  server.close();
  await reportEnding(socket, deadlineMs);
});
report({ event: "listening", port: await listenLoopback(server) });
