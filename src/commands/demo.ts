import process from "node:process";
import { type Closure, within } from "../deadpeer/closure.ts";
import { type VanishingConnection, vanishingConnection } from "../deadpeer/connection.ts";
import { inNamespace, simulationSupport } from "../deadpeer/support.ts";
import type { Liveness } from "../deadpeer/liveness.ts";
import { runtime } from "../host/host.ts";
import { runtimeCommand, spawn } from "../host/spawn.ts";
import { currentPlatform, systemDefault } from "../sys/index.ts";
import { CANNOT_SIMULATE, NOT_SHOWN } from "./exit.ts";

/** `kahook demo` exits with these. */
export const DEMO_EXIT = {
  /** kahook's connection noticed the vanished peer within its bound; the other did not. */
  shown: 0,
  /** It did not: kahook's connection outlived its bound, or the one without closed too. */
  failed: NOT_SHOWN,
  /** This machine cannot simulate a vanished peer (no CAP_NET_ADMIN, no user namespace). */
  unsupported: CANNOT_SIMULATE,
} as const;

export const DEMO_HELP = `Usage: kahook demo

Makes the peer of two idle loopback connections vanish, one connection with kahook's options
and one without, prints what TCP_INFO says of each as it goes, then when each noticed; about
7 s. Exits ${DEMO_EXIT.shown} when kahook's connection noticed in time and the other did not, ${DEMO_EXIT.failed} when not, ${DEMO_EXIT.unsupported} when
this machine cannot simulate it: that needs Linux with CAP_NET_ADMIN, or user namespaces.
`;

/** Probe after 2 s idle, then every 1 s; give up after 3 unanswered probes: 5 s in all. */
const OPTIONS = { enable: true, idle: 2_000, interval: 1_000, count: 3 };
const BOUND_MS = OPTIONS.idle + OPTIONS.interval * OPTIONS.count;
/** Detection this much after the bound counts as a failure, ms. */
const LATE_MS = 2_000;
/** How long the demo keeps watching the connection without kahook once the other closed, ms. */
const AFTERWARDS_MS = 1_000;
/** TCP_INFO is read this often, ms; a row is printed when a column changes, or every second. */
const SAMPLE_EVERY_MS = 100;
const ROW_EVERY_MS = 1_000;
/** Set in the namespace's copy of the demo, so that it cannot start another. */
const IN_NAMESPACE = "KAHOOK_DEMO_IN_NAMESPACE";

const COLUMN = 36;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** 7875 s → "2 h 11 min". */
function humanDuration(totalSeconds: number): string {
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.round((totalSeconds % 3600) / 60);
  return hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
}

/** One connection as the timeline shows it: what TCP_INFO says, or how its socket ended. */
class Column {
  /** The most probes TCP_INFO counted at once: none was answered, so all that were sent. */
  sent = 0;
  /** How the socket ended, once it has. */
  closure: Closure | undefined;
  /** The last TCP_INFO read, for the summary. */
  last: Liveness | undefined;

  constructor(readonly connection: VanishingConnection) {
    void connection.closed.then((closure) => (this.closure = closure));
  }

  read(): string {
    if (this.closure) {
      return `closed: ${this.closure.code ?? "no error"} after ${(this.closure.afterMs / 1000).toFixed(2)} s`;
    }
    const info = this.connection.info();
    if (!info) return "closed";
    this.last = info;
    this.sent = Math.max(this.sent, info.probes);
    if (this.sent === 0) return `${info.state.toLowerCase()}, no probe sent`;
    return `${this.sent} probe${this.sent > 1 ? "s" : ""} sent, ${info.probes} unanswered`;
  }
}

function print(line = ""): void {
  process.stdout.write(`${line}\n`);
}

/** Prints the two columns every SAMPLE_EVERY_MS while something changes, else every second, until `done`. */
async function timeline(withKahook: Column, without: Column, done: Promise<unknown>): Promise<void> {
  const since = withKahook.connection.since;
  let previous = "";
  let printedAt = -Infinity;
  const row = (always = false) => {
    const now = performance.now() - since;
    const columns = `${withKahook.read().padEnd(COLUMN)} ${without.read()}`;
    if (!always && columns === previous && now - printedAt < ROW_EVERY_MS) return;
    print(`  ${seconds(now).padStart(6)}  ${columns}`);
    previous = columns;
    printedAt = now;
  };
  print(`  ${"time".padStart(6)}  ${"with kahook".padEnd(COLUMN)} without kahook`);
  row(true);
  const timer = setInterval(row, SAMPLE_EVERY_MS);
  await done;
  clearInterval(timer);
  row(true);
}

async function show(): Promise<number> {
  const platform = currentPlatform();
  const defaults = {
    idle: systemDefault(platform, "idle"),
    interval: systemDefault(platform, "interval"),
    count: systemDefault(platform, "count"),
  };
  const version = runtime === "node" ? `node ${process.version}` : runtime;
  print(`kahook demo (${version}, ${process.platform} ${process.arch})`);
  print();
  print("Two idle loopback connections. Their server ends now drop every packet, as a NAT gateway");
  print("or load balancer does once it has forgotten a flow: the peer has vanished without a word.");
  const options = Object.entries(OPTIONS).map(([name, value]) => `${name}: ${value}`).join(", ");
  print(`  with kahook      setKeepAlive(socket, { ${options} })`);
  print(
    `  without kahook   this system's defaults: idle ${defaults.idle} s, interval ${defaults.interval} s, count ${defaults.count}`,
  );
  print();
  const connections: VanishingConnection[] = [];
  try {
    for (const options of [OPTIONS, undefined]) {
      connections.push(await vanishingConnection({ vanishes: "server", options }));
    }
    const [withKahook, without] = connections.map((connection) => new Column(connection));
    const closure = within(withKahook.connection.closed, BOUND_MS + LATE_MS);
    await timeline(
      withKahook,
      without,
      closure.then(() => new Promise((resolve) => setTimeout(resolve, AFTERWARDS_MS))),
    );
    return summary(await closure, without, defaults);
  } finally {
    for (const connection of connections) connection.close();
  }
}

function summary(
  closure: Closure | undefined,
  without: Column,
  defaults: { idle: number; interval: number; count: number },
): number {
  const systemSeconds = defaults.idle + defaults.interval * defaults.count;
  const openFor = seconds(performance.now() - without.connection.since);
  const detected = closure !== undefined && closure.afterMs <= BOUND_MS + LATE_MS;
  const controlOpen = without.closure === undefined;
  print();
  print("Summary");
  print(
    `  bound            ${BOUND_MS / 1000} s = idle ${OPTIONS.idle / 1000} s + interval ${
      OPTIONS.interval / 1000
    } s × count ${OPTIONS.count}`,
  );
  print(
    closure
      ? `  with kahook      closed ${(closure.afterMs / 1000).toFixed(2)} s after the peer vanished, with ${
        closure.code ?? "no error"
      }`
      : `  with kahook      still open after ${seconds(BOUND_MS + LATE_MS)}: NOT detected within its bound`,
  );
  print(
    controlOpen
      ? `  without kahook   still ${
        without.last?.state.toLowerCase() ?? "open"
      } after ${openFor}, ${without.sent} probes sent`
      : `  without kahook   closed too (${without.closure?.code ?? "no error"}): the comparison shows nothing`,
  );
  print(
    `  Linux defaults   ${systemSeconds} s (${
      humanDuration(systemSeconds)
    }) until the connection without kahook notices:`,
  );
  print(
    `                   tcp_keepalive_time ${defaults.idle} s + tcp_keepalive_intvl ${defaults.interval} s × tcp_keepalive_probes ${defaults.count}`,
  );
  return detected && controlOpen ? DEMO_EXIT.shown : DEMO_EXIT.failed;
}

/** Runs this same command again as root of a user and network namespace; resolves to its exit code. */
function rerunInNamespace(): Promise<number> {
  const self = runtimeCommand(process.argv[1], process.execArgv);
  const { binary, args } = inNamespace(self.binary, [...self.args, ...process.argv.slice(2)]);
  const child = spawn(binary, args, { stdio: "inherit", env: { ...process.env, [IN_NAMESPACE]: "1" } });
  return new Promise((resolve) => {
    child.once("error", (error) => {
      print(`kahook demo: cannot start ${binary}: ${error.message}`);
      resolve(DEMO_EXIT.unsupported);
    });
    child.once("close", (code) => resolve(code ?? DEMO_EXIT.failed));
  });
}

/**
 * `kahook demo`: makes the peer of two loopback connections vanish, one connection with kahook's
 * options and one without, prints their TCP_INFO as it goes, then a summary. Returns the exit code.
 */
export function demo(): number | Promise<number> {
  const support = simulationSupport();
  if (support.where === "here") return show();
  if (support.where === "namespace" && !process.env[IN_NAMESPACE]) {
    print("This process lacks CAP_NET_ADMIN, which the simulation needs: running the demo as root of a");
    print("user and network namespace of its own (unshare -Urn).");
    print();
    return rerunInNamespace();
  }
  const reason = support.where === "nowhere" ? support.reason : "the user namespace did not give CAP_NET_ADMIN";
  print("kahook demo cannot simulate a vanished peer on this machine:");
  print(`  ${reason}.`);
  print("The simulation attaches a drop-all filter to a socket (SO_ATTACH_FILTER), which needs Linux and");
  print("CAP_NET_ADMIN: run it as root (sudo npm start), or where user namespaces are allowed");
  print("(unshare -Urn). `kahook check` shows the configuration and its detection bound without it.");
  return DEMO_EXIT.unsupported;
}
