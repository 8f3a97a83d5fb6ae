import { spawn } from "node:child_process";
import net from "node:net";
import process from "node:process";
import { dropAllTraffic } from "../src/deadpeer/filter.ts";
import { listenLoopback, nextConnection } from "../src/deadpeer/connection.ts";
import type { KeepAliveOptions } from "../src/options.ts";
import { runtimeCommand } from "../src/spawn.ts";
import { helperProgram } from "./_helper.ts";

/** The last line test/_client printed: how its socket ended, or that it was still open. */
export interface ClientReport {
  event: "closed" | "open";
  /** ms after the client connected. */
  afterMs: number;
  code?: string;
}

export interface ChildClientScenario {
  /** Passed to the client, which sets them with setKeepAlive; absent: it sets nothing itself. */
  options?: KeepAliveOptions;
  /** Runtime flags for the client, before the program: a preload. */
  flags?: readonly string[];
  /** Variables added to the client's environment. */
  env?: Record<string, string>;
  /** The client reports "open" and exits if its socket is still open this long after connecting, ms. */
  deadlineMs: number;
}

/** Grace for the child to start and report beyond its own deadline before it is killed, ms. */
const START_GRACE_MS = 10_000;

/**
 * Runs test/_client in a child process of this runtime against a loopback server, makes the
 * server's end vanish once the client is connected, and returns the client's report.
 */
export async function vanishWithChildClient(scenario: ChildClientScenario): Promise<ClientReport> {
  const server = net.createServer();
  const accepted = nextConnection(server);
  const port = await listenLoopback(server);
  const { binary, args } = runtimeCommand(helperProgram("_client"), scenario.flags);
  const options = scenario.options ? [JSON.stringify(scenario.options)] : [];
  const child = spawn(binary, [...args, String(port), String(scenario.deadlineMs), ...options], {
    env: { ...process.env, ...scenario.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const killer = setTimeout(() => child.kill("SIGKILL"), scenario.deadlineMs + START_GRACE_MS);
  let peer: net.Socket | undefined;
  try {
    peer = await Promise.race([accepted, exited.then(() => undefined)]);
    if (!peer) throw new Error(`the client exited before connecting:\n${output}`);
    peer.on("error", () => {});
    dropAllTraffic(peer);
    await exited;
  } finally {
    clearTimeout(killer);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    peer?.destroy();
    server.close();
  }
  const last = output.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(last) as ClientReport;
  } catch {
    throw new Error(`the client ended without a report (exit ${child.exitCode}, signal ${child.signalCode}):\n${output}`);
  }
}
