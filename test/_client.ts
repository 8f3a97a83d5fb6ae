/**
 * A client in a process of its own, for scenarios whose client runs with other flags than the
 * test (a preload). It connects to 127.0.0.1:<port>, sets the options given as JSON with
 * setKeepAlive (none: it relies on whatever its runtime loaded), then prints JSON lines:
 *   {"event":"connected"}
 *   {"event":"closed","afterMs":3061.2,"code":"ETIMEDOUT"}   (ms after it connected)
 *   {"event":"open","afterMs":8000}                          (still open at its deadline)
 * Usage: <runtime> _client.js <port> <deadline ms> [options JSON]
 */
import net from "node:net";
import process from "node:process";
import { setKeepAlive } from "../src/apply.ts";
import { watchClosure, within } from "../src/deadpeer/closure.ts";
import { LOOPBACK } from "../src/deadpeer/connection.ts";

const [port, deadlineMs, options] = process.argv.slice(2);
const report = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

const socket = net.connect(Number(port), LOOPBACK, async () => {
  if (options) setKeepAlive(socket, JSON.parse(options));
  const closure = watchClosure(socket, performance.now());
  report({ event: "connected" });
  const result = await within(closure, Number(deadlineMs));
  report(result ? { event: "closed", ...result } : { event: "open", afterMs: Number(deadlineMs) });
  socket.destroy();
});
