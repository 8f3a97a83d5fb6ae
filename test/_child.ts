import type { ChildProcessWithoutNullStreams } from "node:child_process";
import net from "node:net";
import process from "node:process";
import { dropAllTraffic } from "../src/deadpeer/filter.ts";
import { listenLoopback, LOOPBACK, nextConnection } from "../src/deadpeer/connection.ts";
import type { KeepAliveOptions } from "../src/config/options.ts";
import { runtimeCommand, spawn } from "../src/host/spawn.ts";
import { cleanEnv, here, packageRoot } from "./_run.ts";

/** The last line test/fixtures/deadpeer/client or server printed (its _ending.ts): how its socket ended, or that it was still open. */
export interface ChildReport {
  event: "closed" | "open";
  /** ms after the child was told its peer vanished. */
  afterMs: number;
  code?: string;
}

export interface ChildScenario {
  /**
   * The runtime's arguments before the program, such as a preload of test/_run's PRELOADS (for
   * Deno, `run` and the permissions too); absent: runtimeCommand's, no preload.
   */
  runtimeArgs?: readonly string[];
  /** Variables added to the child's environment, which starts without kahook's own. */
  env?: Record<string, string>;
  /** The child reports "open" and exits if its socket is still open this long after its peer vanished, ms. */
  deadlineMs: number;
  /** When this settles, a child still waiting is asked to report at once ("open" unless it closed). */
  reportWhen?: Promise<unknown>;
}

export interface ChildClientScenario extends ChildScenario {
  /** Passed to the client, which sets them with setKeepAlive; absent: it sets nothing itself. */
  options?: KeepAliveOptions;
  /** Bytes the client writes once the server has vanished; they stay unacknowledged. */
  pendingBytes?: number;
}

/** Grace for the child to start and report beyond its own deadline before it is killed, ms. */
const START_GRACE_MS = 10_000;

/** A fixture of test/ running in a child process, killed if it outlives its deadline. */
class Fixture {
  readonly child: ChildProcessWithoutNullStreams;
  /** What it printed on stdout: its JSON lines. */
  stdout = "";
  /** stdout and stderr, for the messages of failures. */
  output = "";
  /** Settles when the child has exited and its output is read. */
  readonly exited: Promise<void>;
  private readonly killer: NodeJS.Timeout;

  constructor(name: string, programArgs: string[], scenario: ChildScenario) {
    const program = here(name);
    const { binary, args } = scenario.runtimeArgs
      ? { binary: process.execPath, args: [...scenario.runtimeArgs, program] }
      : runtimeCommand(program);
    // From the package root, where Node resolves the preload kahook/register.
    this.child = spawn(binary, [...args, ...programArgs], {
      cwd: packageRoot,
      env: { ...cleanEnv(), ...scenario.env },
    });
    this.child.stdout.on("data", (chunk) => {
      this.stdout += chunk;
      this.output += chunk;
      // Its report is its last line; then it waits for its stdin to close (test/fixtures/deadpeer/_ending.ts).
      if (/"event":"(closed|open)"/.test(this.stdout)) this.child.stdin.end();
    });
    this.child.stderr.on("data", (chunk) => (this.output += chunk));
    // The child may exit before reading its stdin.
    this.child.stdin.on("error", () => {});
    this.exited = new Promise((resolve) => this.child.once("close", () => resolve()));
    this.killer = setTimeout(() => this.child.kill("SIGKILL"), scenario.deadlineMs + START_GRACE_MS);
    void scenario.reportWhen?.finally(() => this.child.stdin.end());
  }

  /** Tells the child that its peer has vanished: its clock starts. */
  tellVanished(): void {
    this.child.stdin.write("vanished\n");
  }

  /** The first JSON line the child printed, once there is one; undefined if it exits first. */
  async firstLine(): Promise<Record<string, unknown> | undefined> {
    const line = () => (this.stdout.includes("\n") ? this.stdout.slice(0, this.stdout.indexOf("\n")) : undefined);
    const printed = new Promise<void>((resolve) => {
      const check = () => line() !== undefined && resolve();
      this.child.stdout.on("data", check);
      check();
    });
    await Promise.race([printed, this.exited]);
    const first = line();
    return first === undefined ? undefined : JSON.parse(first);
  }

  /** The child's last line, once it has exited. */
  async report(): Promise<ChildReport> {
    await this.exited;
    const last = this.stdout.trim().split("\n").pop() ?? "";
    try {
      return JSON.parse(last) as ChildReport;
    } catch {
      throw new Error(this.describe("ended without a report"));
    }
  }

  describe(what: string): string {
    return `the child ${what} (exit ${this.child.exitCode}, signal ${this.child.signalCode}):\n${this.output}`;
  }

  stop(): void {
    clearTimeout(this.killer);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}

/** Makes `peer` vanish (it drops every packet from now on) and tells the child. */
function vanish(peer: net.Socket, fixture: Fixture): void {
  // The vanished end is destroyed without a word; an error there means nothing.
  peer.on("error", () => {});
  dropAllTraffic(peer);
  fixture.tellVanished();
}

/**
 * Runs test/fixtures/deadpeer/client in a child process against a loopback server, makes the server's end
 * vanish once the client is connected, and returns the client's report.
 */
export async function vanishWithChildClient(scenario: ChildClientScenario): Promise<ChildReport> {
  const server = net.createServer();
  const accepted = nextConnection(server);
  const port = await listenLoopback(server);
  const options = scenario.options ? [JSON.stringify(scenario.options)] : [];
  const fixture = new Fixture("fixtures/deadpeer/client", [
    String(port),
    String(scenario.deadlineMs),
    String(scenario.pendingBytes ?? 0),
    ...options,
  ], scenario);
  let peer: net.Socket | undefined;
  try {
    peer = await Promise.race([accepted, fixture.exited.then(() => undefined)]);
    if (!peer) throw new Error(fixture.describe("exited before connecting"));
    vanish(peer, fixture);
    return await fixture.report();
  } finally {
    fixture.stop();
    peer?.destroy();
    server.close();
  }
}

/**
 * Runs test/fixtures/deadpeer/server in a child process, connects to it, makes this client's end vanish once
 * connected, and returns the server's report on the socket it accepted.
 */
export async function vanishWithChildServer(scenario: ChildScenario): Promise<ChildReport> {
  const fixture = new Fixture("fixtures/deadpeer/server", [String(scenario.deadlineMs)], scenario);
  let client: net.Socket | undefined;
  try {
    const listening = await fixture.firstLine();
    if (listening?.event !== "listening") throw new Error(fixture.describe("did not listen"));
    client = net.connect(Number(listening.port), LOOPBACK);
    await new Promise((resolve, reject) => client!.once("connect", resolve).once("error", reject));
    vanish(client, fixture);
    return await fixture.report();
  } finally {
    fixture.stop();
    client?.destroy();
  }
}
