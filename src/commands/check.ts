import net from "node:net";
import process from "node:process";
import { getKeepAlive } from "../api/keepalive.ts";
import { configFromEnv } from "../config/env.ts";
import { fromKernel, type KeepAliveState, type Setting } from "../config/options.ts";
import { SocketPlan } from "../config/plan.ts";
import { listenLoopback, LOOPBACK, nextConnection } from "../deadpeer/connection.ts";
import { HOOKS_CONFIGURE, NOT_COVERED } from "../fallback/coverage.ts";
import { install } from "../process/install.ts";
import { type Installation, shared } from "../host/shared.ts";
import { runtime } from "../host/host.ts";
import type { Parsed } from "./args.ts";
import { configurationLines, detectionLines, format, ruleLines } from "./config.ts";
import { INTERPOSER_NOT_ACTIVE } from "./exit.ts";

/** A loopback connection: the listener and its port, the client and the socket the listener accepted. */
interface Connection {
  server: net.Server;
  port: number;
  client: net.Socket;
  accepted: net.Socket;
}

async function loopbackConnection(): Promise<Connection> {
  const server = net.createServer();
  const accepted = nextConnection(server);
  const port = await listenLoopback(server);
  // One byte, so that a TCP_DEFER_ACCEPT listener hands the connection over at once.
  const client = await new Promise<net.Socket>((resolve) => {
    const socket = net.connect(port, LOOPBACK, () => {
      socket.write(".");
      resolve(socket);
    });
  });
  return { server, port, client, accepted: await accepted };
}

function close({ server, client, accepted }: Connection): void {
  accepted.destroy();
  client.destroy();
  server.close();
}

/** The readback's header, by what configured its sockets. */
const CONFIGURED_BY: Record<Installation["by"], string> = {
  interposer: "the native interposer",
  hooks: "the JavaScript hooks",
};

/**
 * The socket of a connection that the readback reads, what kahook sets on it, and where that
 * is, as the header says it. Where the mode configures listeners, the socket a listener
 * accepted: accepted sockets inherit a listener's options, SYN-time ones (TCP_MAXSEG) included.
 * In connect mode the client, with the options of the rule for its destination if one matches.
 */
function readTarget(
  plan: SocketPlan,
  port: number,
): { role: "accepted" | "client"; settings: readonly Setting[]; where: string } {
  if (plan.server) {
    const where = "on a loopback listener; read back with getsockopt on the connection it accepted";
    return { role: "accepted", settings: plan.server, where };
  }
  const { label, beforeConnect } = plan.clientFor(LOOPBACK, port);
  const where = `on a loopback ${label} (KAHOOK_MODE=connect); read back with getsockopt on it`;
  return { role: "client", settings: beforeConnect, where };
}

/** Reads back a loopback connection that kahook, installed in this process, configured, against one made before. */
async function readback(plan: SocketPlan, before: Connection, by: Installation["by"]): Promise<string[]> {
  const after = await loopbackConnection();
  try {
    const { role, settings, where } = readTarget(plan, after.port);
    const system: KeepAliveState = getKeepAlive(before[role]);
    const read: KeepAliveState = getKeepAlive(after[role]);
    return [
      `Set by ${CONFIGURED_BY[by]} ${where}:`,
      `  ${"option".padEnd(12)} ${"system".padEnd(10)} ${"configured".padEnd(10)} read back`,
      ...settings.map(({ option, value }) =>
        `  ${option.padEnd(12)} ${format(option, system[option]).padEnd(10)} ${
          format(option, fromKernel(option, value)).padEnd(10)
        } ${format(option, read[option])}`
      ),
    ];
  } finally {
    close(after);
  }
}

/** Whether the native interposer is active in this process; if not, why and what the JavaScript hooks leave out. */
function interposerLines({ by, why }: Installation): string[] {
  if (by === "interposer") {
    return [`Native interposer: active (${why}); it configures every TCP socket of this process`];
  }
  return [
    `Native interposer: not active: ${why}`,
    `Fallback: ${HOOKS_CONFIGURE}; not covered in ${runtime}:`,
    ...NOT_COVERED[runtime].map((row) => `  ${row}`),
  ];
}

export const CHECK_OPTIONS = { switches: ["--require-interposer"] };

export const CHECK_HELP = `Usage: kahook check [--require-interposer]

Shows the configuration that libkeepalive's variables give (unset ones take kahook's
defaults), the worst-case time it takes to detect a vanished peer, the KAHOOK_RULES, whether
the native interposer is active in this runtime (if not, why, and what the JavaScript hooks
leave out), and a loopback connection that kahook, installed in this process as the preload
installs it, configured, read back.

Options:
  --require-interposer  exit ${INTERPOSER_NOT_ACTIVE} when the native interposer is not active
`;

/**
 * `kahook check`: what `kahook config` shows but the load balancers, whether the interposer is
 * active, and a live readback. The exit status is 0, or INTERPOSER_NOT_ACTIVE under
 * --require-interposer when the JavaScript hooks configure the sockets instead.
 */
export async function check(
  { switches }: Parsed,
  env: Record<string, string | undefined> = process.env,
): Promise<{ report: string; status: number }> {
  const config = configFromEnv(env);
  const version = runtime === "node" ? `node ${process.version}` : runtime;
  const plan = new SocketPlan(config);
  // Made before kahook is installed, which leaves sockets already open alone: the system's values.
  const before = await loopbackConnection();
  try {
    install(config);
    // install() records what it put in place, or what a copy of kahook that installed first (a preload) did.
    const installed = shared.installed!;
    const report = [
      `kahook on ${version}, ${process.platform} ${process.arch}`,
      "",
      "Configuration (libkeepalive's variables; unset ones take kahook's defaults):",
      ...configurationLines(config, env),
      "",
      ...detectionLines(config),
      "",
      ...ruleLines(config),
      "",
      ...interposerLines(installed),
      "",
      ...(await readback(plan, before, installed.by)),
      "",
    ].join("\n");
    const required = switches.has("--require-interposer") && installed.by !== "interposer";
    return { report, status: required ? INTERPOSER_NOT_ACTIVE : 0 };
  } finally {
    close(before);
  }
}
