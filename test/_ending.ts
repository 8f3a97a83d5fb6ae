/**
 * What test/_client and test/_server share. The parent writes a line on their stdin once their
 * peer has vanished (its socket drops every packet). It closes their stdin to ask for a report at
 * once, and once they have reported: Deno does not exit while a read of stdin is in flight.
 * They print JSON lines on stdout, the last one saying how their socket ended:
 *   {"event":"closed","afterMs":3061.2,"code":"ETIMEDOUT"}   (ms after they were told the peer vanished)
 *   {"event":"open","afterMs":3102.5}                        (still open at the deadline, or when asked)
 */
import type net from "node:net";
import process from "node:process";
import { watchClosure, within } from "../src/deadpeer/closure.ts";

export const report = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

// Listening from the start: the parent may write before the fixture has its socket.
const told = new Promise<void>((resolve) => process.stdin.on("data", () => resolve()));
const asked = new Promise<undefined>((resolve) => process.stdin.once("end", () => resolve(undefined)));

/**
 * Waits until told that the peer vanished, writes `pendingBytes` (they stay unacknowledged),
 * then reports how the socket ended: closed, or still open after `deadlineMs` or when asked.
 */
export async function reportEnding(socket: net.Socket, deadlineMs: number, pendingBytes = 0): Promise<void> {
  // Watched from now, so that an early error is caught; its time is taken from 0 and rebased below.
  const closure = watchClosure(socket, 0);
  await Promise.race([told, asked]);
  const since = performance.now();
  if (pendingBytes > 0) socket.write(new Uint8Array(pendingBytes));
  const ended = await within(Promise.race([closure, asked]), deadlineMs);
  report(ended ? { event: "closed", ...ended, afterMs: ended.afterMs - since } : { event: "open", afterMs: performance.now() - since });
  socket.destroy();
}
